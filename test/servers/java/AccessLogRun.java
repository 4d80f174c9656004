/*
 * Runs Tomcat 9 (Debian's libtomcat9-java) with the access log valve Nuxeo 2021 declares in
 * templates/common-base/conf/server.xml.nxftl lines 238-241 (nuxeo/nuxeo, branch 2021):
 *   directory="log" prefix="access.log" fileDateFormat=".yyyy-MM-dd" suffix="" pattern="combined"
 *   rotatable="true" renameOnRotate="true" buffered="true"
 * on the Host, with catalina.base = the given folder (NUXEO_HOME in the image). Only the date
 * format is given here, so that a test sees a rotation within seconds instead of at midnight.
 * It answers requests to /probe-<n> from the given count, one per interval, then stops.
 * Usage: java -cp <tomcat jars> AccessLogRun.java <base> <fileDateFormat> <requests> <intervalMs>
 */
import java.io.File;
import java.net.HttpURLConnection;
import java.net.URL;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.AccessLogValve;

public class AccessLogRun {

    public static void main(String[] args) throws Exception {
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(args[0]);
        tomcat.setPort(0);
        tomcat.getConnector();
        AccessLogValve valve = new AccessLogValve();
        valve.setDirectory("log");
        valve.setPrefix("access.log");
        valve.setFileDateFormat(args[1]);
        valve.setSuffix("");
        valve.setPattern("combined");
        valve.setRotatable(true);
        valve.setRenameOnRotate(true);
        valve.setBuffered(true);
        tomcat.getHost().getPipeline().addValve(valve);
        Context ctx = tomcat.addContext("", new File(args[0]).getAbsolutePath());
        Tomcat.addServlet(ctx, "ok", new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws java.io.IOException {
                resp.getWriter().print("ok");
            }
        });
        ctx.addServletMappingDecoded("/*", "ok");
        tomcat.start();
        int port = tomcat.getConnector().getLocalPort();
        int requests = Integer.parseInt(args[2]);
        long interval = Long.parseLong(args[3]);
        for (int i = 0; i < requests; i++) {
            HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/probe-" + i).openConnection();
            c.getInputStream().readAllBytes();
            c.disconnect();
            Thread.sleep(interval);
        }
        tomcat.stop();
        tomcat.destroy();
    }
}
