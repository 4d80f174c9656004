# Run inside the stand-in root filesystem (chroot) by build.sh. Reproduces the paths, owners and
# modes the real images give the files our pods touch; the servers Debian does not package are
# not here, only what their init containers and start scripts read and write.
set -eu

# nginxinc/nginx-unprivileged: the logs are the container's stderr/stdout.
ln -sf /dev/stderr /var/log/nginx/error.log
ln -sf /dev/stdout /var/log/nginx/access.log

# Elasticsearch 7.17 (elastic/dockerfiles, branch 7.17 at 28b876f, elasticsearch/Dockerfile): user 1000 in
# groups 1000 and root; the home 0775 root:0; bin, config, config/jvm.options.d, data, logs,
# plugins 0775 owned by elasticsearch; config files 0664, owned root:0 (`chown -R 0:0` then a
# non-recursive chown of the folders).
groupadd -g 1000 elasticsearch
useradd -u 1000 -g 1000 -G root -d /usr/share/elasticsearch -M -s /bin/false elasticsearch
es=/usr/share/elasticsearch
mkdir -p $es/bin $es/config/jvm.options.d $es/data $es/logs $es/plugins $es/lib $es/modules
printf 'cluster.name: "docker-cluster"\nnetwork.host: 0.0.0.0\n' > $es/config/elasticsearch.yml
# The bundled jvm.options' GC logging line (elasticsearch 7.17 distribution/src/config/jvm.options).
cat > $es/config/jvm.options <<'OPTS'
-XX:+UseG1GC
-XX:+HeapDumpOnOutOfMemoryError
-XX:HeapDumpPath=data
-XX:ErrorFile=logs/hs_err_pid%p.log
9-:-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,pid,tags:filecount=32,filesize=64m
OPTS
printf 'status = error\nappender.rolling.type = Console\n' > $es/config/log4j2.properties
cp $es/config/log4j2.properties $es/config/log4j2.file.properties
touch $es/config/role_mapping.yml $es/config/roles.yml $es/config/users $es/config/users_roles
printf '#!/bin/sh\necho "stand-in: the Elasticsearch server is not part of the stand-in image" >&2\nexit 1\n' > $es/bin/elasticsearch
chown -R 0:0 $es
find $es -type d -exec chmod 0555 {} +
find $es -type f -exec chmod 0444 {} +
chmod 0555 $es/bin/*
chmod 0775 $es/bin $es/config $es/config/jvm.options.d $es/data $es/logs $es/plugins
find $es/config -type f -exec chmod 0664 {} +
chmod 0775 $es
chown 1000 $es/bin $es/config $es/config/jvm.options.d $es/data $es/logs $es/plugins

# Nuxeo LTS 2021 (nuxeo/nuxeo, branch 2021 at ee376fc, docker/nuxeo/Dockerfile): user nuxeo 900,
# /etc/passwd group-writable, rootfs copied --chown=900:0 --chmod=775, NUXEO_HOME owned 900:0 with
# g+rwX, ENTRYPOINT /docker-entrypoint.sh (docker/nuxeo/rootfs/docker-entrypoint.sh of that
# commit, unchanged, Apache 2.0), CMD nuxeoctl console (here the stand-in server).
chmod g=u /etc/passwd
useradd -m -d /home/nuxeo -u 900 -s /bin/bash nuxeo
home=/opt/nuxeo/server
mkdir -p $home/bin $home/templates/common/config $home/nxserver/nuxeo.war $home/packages/backup $home/packages/store $home/packages/tmp \
  /etc/nuxeo/conf.d /docker-entrypoint-initnuxeo.d /var/lib/nuxeo /var/log/nuxeo /var/pid/nuxeo
printf '## nuxeo.conf shipped in the distribution (stand-in)\nnuxeo.templates=default\n' > $home/bin/nuxeo.conf
printf 'org.nuxeo.distribution.package=docker\n' > $home/templates/common/config/distribution.properties
printf 'JAVA_OPTS=$JAVA_OPTS -XX:InitialRAMPercentage=50 -XX:MaxRAMPercentage=50\n' > /etc/nuxeo/conf.d/00-docker.conf
mv /usr/local/bin/nuxeo-docker-entrypoint.sh /docker-entrypoint.sh
ln -s /usr/local/bin/nuxeo-stand-in $home/bin/nuxeoctl
chown -R 900:0 $home /etc/nuxeo /docker-entrypoint-initnuxeo.d /var/lib/nuxeo /var/log/nuxeo /var/pid/nuxeo /docker-entrypoint.sh
chmod -R 775 /etc/nuxeo /docker-entrypoint-initnuxeo.d /var/lib/nuxeo /var/log/nuxeo /var/pid/nuxeo /docker-entrypoint.sh
chmod -R g+rwX $home

# The stand-in Nuxeo's pages (busybox httpd serves them read-only from the image).
mkdir -p /usr/share/nuxeo-stand-in/www/nuxeo /usr/share/nuxeo-stand-in/www/cgi-bin
printf 'Ok\n' > /usr/share/nuxeo-stand-in/www/nuxeo/runningstatus
printf 'nuxeo stand-in\n' > /usr/share/nuxeo-stand-in/www/index.html
cp /usr/share/nuxeo-stand-in/www/index.html /usr/share/nuxeo-stand-in/www/nuxeo/index.html
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "nuxeo stand-in on $(hostname)"\nenv | grep "^HTTP_" | sort\n' > /usr/share/nuxeo-stand-in/www/cgi-bin/headers
chmod 755 /usr/share/nuxeo-stand-in/www/cgi-bin/headers

# The exporter images' entrypoints (their Dockerfiles: oliver006/redis_exporter `/redis_exporter`,
# prometheus-community postgres_exporter `/bin/postgres_exporter`, elasticsearch_exporter
# `/bin/elasticsearch_exporter`, nginx/nginx-prometheus-exporter `/usr/bin/nginx-prometheus-exporter`),
# served by Debian's builds of the same exporters (older versions, same flags and variables but one).
ln -s /usr/bin/prometheus-redis-exporter /redis_exporter
ln -s /usr/bin/prometheus-postgres-exporter /usr/bin/postgres_exporter
# elasticsearch_exporter v1.9.0 names the SLM collector --collector.slm; Debian's older build calls
# the same collector --es.slm (found on the real cluster: the exporter refused the flag).
printf '#!/bin/sh\nfor a; do shift; case $a in --collector.slm) set -- "$@" --es.slm;; *) set -- "$@" "$a";; esac; done\nexec /usr/bin/prometheus-elasticsearch-exporter "$@"\n' > /usr/bin/elasticsearch_exporter
chmod 755 /usr/bin/elasticsearch_exporter
ln -s /usr/bin/prometheus-nginx-exporter /usr/bin/nginx-prometheus-exporter
