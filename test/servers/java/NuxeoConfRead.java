/*
 * Reads nuxeo.conf the way Nuxeo LTS 2021 does, and prints what each of the given keys becomes
 * at each stage, base64-encoded (or ERROR: and the exception):
 *   launcher  - ConfigurationLoader.loadProperties: java.util.Properties.load, trim(), then
 *               replaceEnvironmentVariables (copied from nuxeo-launcher-commons, branch 2021).
 *               What the launcher's backing checks (DBCheck, RedisChecker) use.
 *   xmlattr   - the launcher value through TextTemplate.preprocessVars (its PATTERN and unescape,
 *               copied from nuxeo-common, branch 2021), escaped by FreeMarker's ?xml (the
 *               template's line 1 is <#escape x as x?xml>) and written through
 *               TextTemplate.EscapeVariableFilter into an XML attribute as
 *               templates/common-base/nxserver/config/datasources-config.xml.nxftl does
 *               (line 8, password="${nuxeo.db.password}"), then read back by an XML parser.
 *   xmltext   - the same into element text, as templates/redis/nxserver/config/redis-config.xml.nxftl
 *               (line 1 <#escape x as x?xml>, lines 17 and 28 <password>${nuxeo.redis.password}</password>).
 *   rawtext   - into element text WITHOUT ?xml, as templates/common-base/nxserver/config/jwt-config.xml.nxftl
 *               (no #escape; line 7 <secret>${nuxeo.jwt.secret}</secret>).
 * Usage: java NuxeoConfRead.java <nuxeo.conf> <key>...
 *
 * Two more modes compose the configuration the way the launcher does (ConfigurationGenerator,
 * ConfigurationMarshaller, nuxeo-launcher-commons, branch 2021; written here from reading them,
 * each step citing the lines it follows):
 *   --addtemplate <nuxeo.conf> <template>  what a package's <config addtemplate="..."/> does to
 *               nuxeo.conf when it is installed (connect-standalone Config.doRun, lines 73-80).
 *   --effective <nuxeo.conf> <templates dir> <key>...  the template list the launcher includes
 *               and each key's value after the templates' nuxeo.defaults: "templates\t<a,b,...>",
 *               then "<key>\t<value>" (or NULL), plain text.
 */
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;

public class NuxeoConfRead {

    // ConfigurationLoader.ENV_VALUE_PATTERN (2021)
    static final Pattern ENV_VALUE_PATTERN = Pattern.compile(
            "\\$\\{env(?<boolean>\\?\\?)?:(?<envparam>\\w*)(:?(?<defaultvalue>.*?)?)?\\}");

    // TextTemplate.PATTERN (2021)
    static final Pattern PATTERN = Pattern.compile("(?<!\\$)\\$\\{(?<decrypt>#)?" + "(?<var>[a-zA-Z_0-9\\-\\.]+)"
            + "(:=(?<default>" + "([^{}]*|\\{[^{}]*\\})" + "))?\\}");

    // Crypto.CRYPTO_PATTERN (2021): such a value is taken as encrypted and decrypted
    static final Pattern CRYPTO_PATTERN = Pattern.compile("\\{\\$(?<algo>[^\\$]*)\\$(?<value>[^\\$]+)\\}");

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    // ConfigurationLoader.replaceEnvironmentVariables (2021), verbatim apart from StringUtils
    static String replaceEnvironmentVariables(String value, Map<String, String> environment) {
        if (isBlank(value)) {
            return value;
        }
        Matcher matcher = ENV_VALUE_PATTERN.matcher(value);
        StringBuffer sb = new StringBuffer();
        while (matcher.find()) {
            boolean booleanValue = "??".equals(matcher.group("boolean"));
            String envVarName = matcher.group("envparam");
            String defaultValue = matcher.group("defaultvalue");
            String envValue = environment.get(envVarName);
            String result;
            if (booleanValue) {
                result = isBlank(envValue) ? "false" : "true";
            } else {
                result = isBlank(envValue) ? defaultValue : envValue;
            }
            matcher.appendReplacement(sb, result);
        }
        matcher.appendTail(sb);
        return sb.toString();
    }

    // TextTemplate.processString (2021) for the unencrypted case, one pass
    static String processString(Properties props, String text) {
        Matcher m = PATTERN.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = props.getProperty(m.group("var"));
            if (value == null) {
                value = m.group("default");
            }
            if (value != null) {
                if (CRYPTO_PATTERN.matcher(value).matches()) {
                    throw new IllegalStateException("taken as an encrypted value: " + value);
                }
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // TextTemplate.preprocessVars (2021): repeat until stable, then unescape "$${" to "${"
    static String preprocess(Properties props, String key) {
        String value = props.getProperty(key);
        if (CRYPTO_PATTERN.matcher(value).matches()) {
            throw new IllegalStateException("taken as an encrypted value");
        }
        for (int level = 0; level <= 10; level++) {
            String next = processString(props, value);
            if (next.equals(value)) {
                break;
            }
            value = next;
        }
        return value.replaceAll("\\$\\$\\{", "\\${");
    }

    // TextTemplate.EscapeVariableFilter (2021): drops a '$' that follows a '$'
    static String escapeVariableFilter(String s) {
        StringBuilder out = new StringBuilder();
        int last = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '$' && last == '$') {
                continue;
            }
            last = c;
            out.append(c);
        }
        return out.toString();
    }

    // FreeMarker's ?xml built-in: < > & " ' as entities
    static String xmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }

    static org.w3c.dom.Element parse(String xml) throws Exception {
        var builder = DocumentBuilderFactory.newInstance().newDocumentBuilder();
        builder.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // throw, do not print
        return builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    interface Stage {
        String run() throws Exception;
    }

    static void print(String key, String stage, Stage s) {
        try {
            String v = s.run();
            System.out.println(key + "\t" + stage + "\t" + (v == null ? "NULL" : b64(v)));
        } catch (Exception | Error e) {
            System.out.println(key + "\t" + stage + "\tERROR:" + e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' '));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--addtemplate")) {
            addTemplate(Path.of(args[1]), args[2]);
            return;
        }
        if (args[0].equals("--effective")) {
            effective(Path.of(args[1]), Path.of(args[2]), Arrays.copyOfRange(args, 3, args.length));
            return;
        }
        String text = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        Properties raw = new Properties();
        raw.load(new StringReader(text));
        Properties launcher = new Properties();
        for (int i = 1; i < args.length; i++) {
            String key = args[i];
            print(key, "launcher", () -> {
                String v = raw.getProperty(key);
                if (v == null) {
                    return null;
                }
                v = replaceEnvironmentVariables(v.trim(), System.getenv());
                launcher.setProperty(key, v);
                return v;
            });
        }
        for (int i = 1; i < args.length; i++) {
            String key = args[i];
            if (launcher.getProperty(key) == null) {
                continue;
            }
            print(key, "xmlattr", () -> parse("<datasource password=\"" + escapeVariableFilter(xmlEscape(preprocess(launcher, key))) + "\"/>").getAttribute("password"));
            print(key, "xmltext", () -> parse("<redis><password>" + escapeVariableFilter(xmlEscape(preprocess(launcher, key))) + "</password></redis>").getTextContent());
            print(key, "rawtext", () -> parse("<configuration><secret>" + escapeVariableFilter(preprocess(launcher, key)) + "</secret></configuration>").getTextContent());
        }
    }

    // ---- Composition (G = ConfigurationGenerator.java, M = ConfigurationMarshaller.java, L = ConfigurationLoader.java) ----

    static final String TEMPLATES = "nuxeo.templates";
    static final String BEGIN = "### BEGIN - DO NOT EDIT BETWEEN BEGIN AND END ###"; // M 78
    static final String END = "### END - DO NOT EDIT BETWEEN BEGIN AND END ###"; // M 80

    // L 95-120: Properties.load, each value trimmed, then ${env:} substituted
    static Properties load(Path file) throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        Properties out = new Properties();
        for (String k : p.stringPropertyNames()) {
            out.setProperty(k, replaceEnvironmentVariables(p.getProperty(k).trim(), System.getenv()));
        }
        return out;
    }

    // Config.doRun (addtemplate): ConfigurationGenerator.builder().init(true) loads the configuration
    // (G 280-305): nuxeo.conf's properties, then includeTemplates, which puts "default" into the
    // user configuration when nuxeo.templates is blank (G 313-318), then evalDynamicProperties adds
    // server.status.key when absent and saves (G 297-301, 356-361). Then addTemplate appends the
    // package's templates to nuxeo.templates, without duplicates (G 559-566), and saves (G 450-470).
    static void addTemplate(Path conf, String template) throws Exception {
        Properties user = load(conf);
        if (user.getProperty(TEMPLATES, "").isBlank()) {
            user.setProperty(TEMPLATES, "default");
        }
        if (user.getProperty("server.status.key") == null) {
            user.setProperty("server.status.key", UUID.randomUUID().toString().substring(0, 8));
            persist(conf, user);
        }
        String templates = Arrays.stream((user.getProperty(TEMPLATES) + "," + template).split(","))
                                 .distinct()
                                 .collect(Collectors.joining(","));
        user.setProperty(TEMPLATES, templates);
        persist(conf, user);
    }

    // M 94-99 persistNuxeoConf = readConfiguration + editUserConf + writeConfiguration
    static void persist(Path conf, Properties user) throws Exception {
        // M 143-166: lines trimmed; those between BEGIN and END are the generator's, the rest the user's
        List<String> lines = new ArrayList<>();
        Properties generated = new Properties();
        boolean inGenerated = false;
        for (String line : Files.readAllLines(conf, StandardCharsets.UTF_8)) {
            line = line.trim();
            if (line.startsWith(BEGIN)) {
                inGenerated = true;
            } else if (line.startsWith(END)) {
                inGenerated = false;
            } else if (inGenerated) {
                generated.load(new StringReader(line));
            } else {
                lines.add(line);
            }
        }
        Properties userLines = new Properties();
        userLines.load(new StringReader(String.join("\n", lines)));
        // M 188-198 and 212-214: the first line starting with nuxeo.templates gets the value, later
        // ones are removed; none: one is appended after the user's lines
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(TEMPLATES)) {
                if (at < 0) {
                    at = i;
                    lines.set(i, TEMPLATES + "=" + user.getProperty(TEMPLATES));
                } else {
                    lines.remove(i--);
                }
            }
        }
        if (at < 0) {
            lines.add(TEMPLATES + "=" + user.getProperty(TEMPLATES, "default"));
        }
        // M 222-262: the user's lines, a blank line, then BEGIN, every other key (sorted) not already
        // in the user's lines with the same value, with backslashes doubled, then END
        StringBuilder out = new StringBuilder();
        lines.forEach(l -> out.append(l).append('\n'));
        if (!lines.get(lines.size() - 1).isBlank()) {
            out.append('\n');
        }
        out.append(BEGIN).append('\n');
        for (String key : new TreeSet<>(user.stringPropertyNames())) {
            if (key.equals("nuxeo.force.generation") || key.equals(TEMPLATES)) {
                continue;
            }
            String value = user.getProperty(key).trim();
            if (value.equals(userLines.getProperty(key))) {
                continue;
            }
            out.append(key).append('=').append(value.replace("\\", "\\\\")).append('\n');
        }
        out.append(END).append('\n');
        Files.writeString(conf, out.toString(), StandardCharsets.UTF_8);
    }

    // G 280-296: defaults = <templates>/nuxeo.defaults; user = nuxeo.conf; then includeTemplates
    static void effective(Path conf, Path templatesDir, String[] keys) throws Exception {
        Properties defaults = load(templatesDir.resolve("nuxeo.defaults"));
        Properties user = new Properties(defaults);
        user.putAll(load(conf));
        // G 311-335: nuxeo.templates (blank: "default"), then every nuxeo.append.templates.* value
        // in key order, then NUXEO_PROFILES
        String templates = user.getProperty(TEMPLATES);
        if (templates == null || templates.isBlank()) {
            templates = "default";
        }
        String appended = user.stringPropertyNames()
                              .stream()
                              .filter(k -> k.startsWith("nuxeo.append.templates."))
                              .sorted()
                              .map(user::getProperty)
                              .collect(Collectors.joining(","));
        if (!appended.isBlank()) {
            templates += "," + appended;
        }
        String profiles = System.getenv("NUXEO_PROFILES");
        if (profiles != null && !profiles.isBlank()) {
            templates += "," + profiles;
        }
        List<String> included = new ArrayList<>();
        include(templates, templatesDir, new LinkedHashSet<>(), included, defaults);
        System.out.println("templates\t" + String.join(",", included));
        for (String key : keys) {
            String v = user.getProperty(key);
            System.out.println(key + "\t" + (v == null ? "NULL" : v));
        }
    }

    // G 392-430: each template once; a missing one is logged and skipped (G 406-411); its
    // nuxeo.template.includes come first (G 420-423); its nuxeo.defaults go into the defaults,
    // later templates overriding earlier ones (G 425, ConfigurationHolder.putTemplateAll 279-282)
    static void include(String list, Path dir, LinkedHashSet<String> seen, List<String> ordered, Properties defaults) throws Exception {
        for (String name : list.split(",")) {
            if (name.isEmpty() || !seen.add(name) || Files.notExists(dir.resolve(name).resolve("nuxeo.defaults"))) {
                continue;
            }
            Properties p = load(dir.resolve(name).resolve("nuxeo.defaults"));
            String includes = p.getProperty("nuxeo.template.includes");
            if (includes != null && !includes.isBlank()) {
                include(includes, dir, seen, ordered, defaults);
            }
            defaults.putAll(p);
            ordered.add(name);
        }
    }
}
