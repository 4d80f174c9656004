/*
 * Reads nuxeo.conf the way Nuxeo LTS 2021 does, and prints what each of the given keys becomes
 * at each stage, base64-encoded (or ERROR: and the exception):
 *   launcher  - ConfigurationLoader.loadProperties: java.util.Properties.load, trim(), then
 *               replaceEnvironmentVariables (copied from nuxeo-launcher-commons, branch 2021).
 *               What the launcher's backing checks (DBCheck, RedisChecker) use.
 *   xmlattr   - the launcher value through TextTemplate.preprocessVars (its PATTERN and unescape,
 *               copied from nuxeo-common, branch 2021), written by FreeMarker through
 *               TextTemplate.EscapeVariableFilter into an XML attribute as
 *               templates/common-base/nxserver/config/datasources-config.xml.nxftl does
 *               (password="${nuxeo.db.password}"), then read back by an XML parser.
 *   xmltext   - the same into element text, as templates/redis/nxserver/config/redis-config.xml.nxftl
 *               (<password>${nuxeo.redis.password}</password>) and jwt-config.xml.nxftl do.
 * Usage: java NuxeoConfRead.java <nuxeo.conf> <key>...
 */
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;
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
            print(key, "xmlattr", () -> parse("<datasource password=\"" + escapeVariableFilter(preprocess(launcher, key)) + "\"/>").getAttribute("password"));
            print(key, "xmltext", () -> parse("<redis><password>" + escapeVariableFilter(preprocess(launcher, key)) + "</password></redis>").getTextContent());
        }
    }
}
