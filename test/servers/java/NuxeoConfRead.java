/*
 * Reads nuxeo.conf the way Nuxeo LTS 2021 does, and prints what each of the given keys becomes
 * at each stage, base64-encoded (or ERROR: and the exception):
 *   launcher  - ConfigurationLoader.loadProperties: java.util.Properties.load, trim(), then
 *               replaceEnvironmentVariables (nuxeo-launcher-commons). What the launcher's backing
 *               checks (DBCheck, RedisChecker) use.
 *   xmlattr   - the launcher value through TextTemplate.preprocessVars (its variable syntax and
 *               unescape, nuxeo-common), escaped by FreeMarker's ?xml (the
 *               template's line 1 is <#escape x as x?xml>) and written through
 *               TextTemplate.EscapeVariableFilter into an XML attribute as
 *               templates/common-base/nxserver/config/datasources-config.xml.nxftl does
 *               (line 8, password="${nuxeo.db.password}"), then read back by an XML parser.
 *   xmltext   - the same into element text, as templates/redis/nxserver/config/redis-config.xml.nxftl
 *               (line 1 <#escape x as x?xml>, lines 17 and 28 <password>${nuxeo.redis.password}</password>).
 *   rawtext   - into element text WITHOUT ?xml, as templates/common-base/nxserver/config/jwt-config.xml.nxftl
 *               (no #escape; line 7 <secret>${nuxeo.jwt.secret}</secret>).
 * Usage: java NuxeoConfRead.java <nuxeo.conf> <key>...
 * Every step is our own code, written from what the branch-2021 sources do (each method says which
 * file and method it follows); none of Nuxeo's code is copied here.
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
import javax.xml.parsers.DocumentBuilderFactory;

public class NuxeoConfRead {

    // ---- Nuxeo's reading steps, written here from what the 2021 sources do (nuxeo/nuxeo, branch
    // 2021), in modules/runtime/:
    // L = nuxeo-launcher-commons/src/main/java/org/nuxeo/launcher/config/ConfigurationLoader.java,
    // T = nuxeo-common/src/main/java/org/nuxeo/common/utils/TextTemplate.java,
    // C = nuxeo-common/src/main/java/org/nuxeo/common/codec/Crypto.java. ----

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** Word characters as java.util.regex's \w has them (ASCII letters, digits, underscore). */
    static boolean isWord(char c) {
        return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** Characters a regex '.' does not match (java.util.regex line terminators). */
    static boolean isLineEnd(char c) {
        return c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /**
     * L, replaceEnvironmentVariables: a blank value is kept; otherwise each "${env:NAME}",
     * "${env:NAME:default}" or "${env??:NAME}" (the boolean form: "true" when NAME is set and not
     * blank, else "false") is replaced, left to right. NAME is the longest run of word characters
     * after the colon; everything from there to the first '}' on the same line is the default, less
     * one leading ':' (so "${env:A-b}" defaults to "-b"). A blank or unset NAME gives the default.
     * The replacement goes through Matcher.appendReplacement unquoted, so its '\' and '$' are
     * read as escapes and group references (see asReplacement).
     */
    static String replaceEnvironmentVariables(String value, Map<String, String> environment) {
        if (isBlank(value)) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        int copied = 0;
        int at = value.indexOf("${env");
        while (at >= 0) {
            EnvToken token = EnvToken.at(value, at);
            if (token == null) {
                at = value.indexOf("${env", at + 1);
                continue;
            }
            String set = environment.get(token.name);
            String result = token.flag != null ? String.valueOf(!isBlank(set)) : isBlank(set) ? token.fallback : set;
            out.append(value, copied, at).append(asReplacement(result, token.groups()));
            copied = token.end;
            at = value.indexOf("${env", copied);
        }
        return out.append(value.substring(copied)).toString();
    }

    /** One "${env...}" of L's ENV_VALUE_PATTERN, with what its groups hold. */
    record EnvToken(String whole, String flag, String name, String tail, String fallback, int end) {
        static EnvToken at(String s, int start) {
            int i = start + "${env".length();
            String flag = s.startsWith("??", i) ? "??" : null;
            i += flag == null ? 0 : 2;
            if (i >= s.length() || s.charAt(i) != ':') {
                return null;
            }
            int nameStart = ++i;
            while (i < s.length() && isWord(s.charAt(i))) {
                i++;
            }
            int close = i;
            while (close < s.length() && s.charAt(close) != '}' && !isLineEnd(s.charAt(close))) {
                close++;
            }
            if (close == s.length() || s.charAt(close) != '}') {
                return null;
            }
            String tail = s.substring(i, close);
            String fallback = tail.startsWith(":") ? tail.substring(1) : tail;
            return new EnvToken(s.substring(start, close + 1), flag, s.substring(nameStart, i), tail, fallback, close + 1);
        }

        /** Numbered groups 0-4 and the named ones, as the pattern numbers them. */
        Map<Object, String> groups() {
            Map<Object, String> g = new java.util.HashMap<>();
            g.put(0, whole);
            g.put(1, flag);
            g.put(2, name);
            g.put(3, tail);
            g.put(4, fallback);
            g.put("boolean", flag);
            g.put("envparam", name);
            g.put("defaultvalue", fallback);
            return g;
        }
    }

    /**
     * What Matcher.appendReplacement appends for an unquoted replacement (its javadoc): "\x" is x;
     * "$n" is group n, reading further digits while the number stays a group; "${name}" a named
     * group; an absent group adds nothing; any other '$', or a '\' or '$' at the end, throws.
     */
    static String asReplacement(String replacement, Map<Object, String> groups) {
        int count = (int) groups.keySet().stream().filter(k -> k instanceof Integer).count() - 1;
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < replacement.length(); i++) {
            char c = replacement.charAt(i);
            if (c == '\\') {
                if (++i == replacement.length()) {
                    throw new IllegalArgumentException("character to be escaped is missing");
                }
                out.append(replacement.charAt(i));
            } else if (c != '$') {
                out.append(c);
            } else if (++i == replacement.length()) {
                throw new IllegalArgumentException("Illegal group reference: group index is missing");
            } else if (replacement.charAt(i) == '{') {
                int close = replacement.indexOf('}', i);
                String name = close < 0 ? "" : replacement.substring(i + 1, close);
                if (close < 0 || !name.matches("[a-zA-Z][a-zA-Z0-9]*") || !groups.containsKey(name)) {
                    throw new IllegalArgumentException("Illegal named group reference: " + replacement.substring(i - 1));
                }
                out.append(groups.get(name) == null ? "" : groups.get(name));
                i = close;
            } else if (replacement.charAt(i) >= '0' && replacement.charAt(i) <= '9') {
                int ref = replacement.charAt(i) - '0';
                while (i + 1 < replacement.length() && replacement.charAt(i + 1) >= '0' && replacement.charAt(i + 1) <= '9'
                        && ref * 10 + (replacement.charAt(i + 1) - '0') <= count) {
                    ref = ref * 10 + (replacement.charAt(++i) - '0');
                }
                if (ref > count) {
                    throw new IndexOutOfBoundsException("No group " + ref);
                }
                out.append(groups.get(ref) == null ? "" : groups.get(ref));
            } else {
                throw new IllegalArgumentException("Illegal group reference");
            }
        }
        return out.toString();
    }

    /**
     * C, isEncrypted: "{$<algorithm>$<value>}" as a whole, the algorithm without '$' (may be
     * empty), the value non-empty without '$'. Such a value is decrypted, which we do not model.
     */
    static boolean looksEncrypted(String v) {
        if (v.length() < 5 || !v.startsWith("{$") || !v.endsWith("}")) {
            return false;
        }
        String inner = v.substring(2, v.length() - 1);
        int dollar = inner.indexOf('$');
        return dollar >= 0 && dollar == inner.lastIndexOf('$') && dollar < inner.length() - 1;
    }

    static boolean isVarChar(char c) {
        return isWord(c) || c == '-' || c == '.';
    }

    /**
     * T's variable syntax: "${name}", "${#name}" or "${name:=default}", not right after a '$'
     * ("$${" is an escape). The name is letters, digits, '_', '-', '.'; the default holds no brace,
     * or is exactly one "{...}" without inner braces. Returns {end, name, default or null}, or null.
     */
    static Object[] variableAt(String s, int dollar) {
        if (!s.startsWith("${", dollar) || (dollar > 0 && s.charAt(dollar - 1) == '$')) {
            return null;
        }
        int i = dollar + 2 + (s.startsWith("#", dollar + 2) ? 1 : 0);
        int nameStart = i;
        while (i < s.length() && isVarChar(s.charAt(i))) {
            i++;
        }
        String name = s.substring(nameStart, i);
        if (name.isEmpty()) {
            return null;
        }
        if (s.startsWith("}", i)) {
            return new Object[] { i + 1, name, null };
        }
        if (!s.startsWith(":=", i)) {
            return null;
        }
        int from = i + 2;
        int brace = from;
        while (brace < s.length() && s.charAt(brace) != '{' && s.charAt(brace) != '}') {
            brace++;
        }
        if (brace < s.length() && s.charAt(brace) == '}') {
            return new Object[] { brace + 1, name, s.substring(from, brace) };
        }
        if (brace == from && brace < s.length()) { // the default starts with '{'
            int close = brace + 1;
            while (close < s.length() && s.charAt(close) != '{' && s.charAt(close) != '}') {
                close++;
            }
            if (s.startsWith("}}", close)) {
                return new Object[] { close + 2, name, s.substring(from, close + 1) };
            }
        }
        return null;
    }

    /**
     * T, processString (one pass, unencrypted): each variable whose key is set, or that has a
     * default, becomes that text literally; the others stay as written. A value in the encrypted
     * form would be decrypted by Nuxeo: we stop there.
     */
    static String processString(Properties props, String text) {
        StringBuilder out = new StringBuilder();
        int copied = 0;
        for (int at = text.indexOf("${"); at >= 0; at = text.indexOf("${", at + 1)) {
            if (at < copied) {
                continue;
            }
            Object[] variable = variableAt(text, at);
            String value = variable == null ? null : props.getProperty((String) variable[1], (String) variable[2]);
            if (value == null) {
                continue;
            }
            if (looksEncrypted(value)) {
                throw new IllegalStateException("taken as an encrypted value: " + value);
            }
            out.append(text, copied, at).append(value);
            copied = (int) variable[0];
        }
        return out.append(text.substring(copied)).toString();
    }

    /**
     * T, preprocessVars for one key: expanded again and again until nothing changes (at most 11
     * passes, T's MAX_RECURSION_LEVEL 10), then T's unescape turns each "$${" into "${".
     */
    static String preprocess(Properties props, String key) {
        String value = props.getProperty(key);
        if (looksEncrypted(value)) {
            throw new IllegalStateException("taken as an encrypted value");
        }
        for (int pass = 0; pass < 11; pass++) {
            String next = processString(props, value);
            boolean stable = next.equals(value);
            value = next;
            if (stable) {
                break;
            }
        }
        return value.replace("$${", "${");
    }

    /** T, EscapeVariableFilter: the template's output with each run of '$' written as one '$'. */
    static String escapeVariableFilter(String s) {
        return s.replaceAll("\\$+", Matcher.quoteReplacement("$"));
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
