# Sourced by build.sh and build-operators.sh: one component's cached build, and builds run two at
# a time. The sourcing script defines `here`, `cache`, `key NAME` (NAME-version) and
# `build_NAME OUT_DIR`.

# Builds NAME into $cache/<key>/ unless it is there (a `.done` marker), logging to $cache/logs/.
build_one() {
  local name=$1 k out; k=$(key "$name"); out="$cache/$k"
  [ -e "$out/.done" ] && return 0
  # Another build of the same component: wait for it, then use its result.
  exec {lock}>"$cache/logs/$k.lock"; flock "$lock"
  [ -e "$out/.done" ] && return 0
  rm -rf "$out.tmp" && mkdir -p "$out.tmp"
  local start=$SECONDS
  if (cd "$here/build/$name" && "build_$name" "$out.tmp") >"$cache/logs/$k.log" 2>&1; then
    echo "built in $((SECONDS - start)) s" >>"$cache/logs/$k.log"
    touch "$out.tmp/.done" && rm -rf "$out" && mv "$out.tmp" "$out"
    echo "$k: built in $((SECONDS - start)) s"
  else
    echo "$k: build FAILED, see $cache/logs/$k.log" >&2; tail -20 "$cache/logs/$k.log" >&2; return 1
  fi
}

# Builds every NAME given, CLUSTER_BUILD_JOBS (2) at a time; fails if any failed.
build_all() {
  local fail=0 running=0 n
  for n in "$@"; do
    build_one "$n" & running=$((running + 1))
    if [ "$running" -ge "${CLUSTER_BUILD_JOBS:-2}" ]; then wait -n || fail=1; running=$((running - 1)); fi
  done
  while [ "$running" -gt 0 ]; do wait -n || fail=1; running=$((running - 1)); done
  return $fail
}
