// Oracle for the maven scheme: Maven's own ComparableVersion (maven-artifact). Reads "a<TAB>b"
// lines and prints "1 1 <order>" per line (ComparableVersion accepts any string).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class MavenOracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(System.out);
        String line;
        while ((line = in.readLine()) != null) {
            String[] pair = line.split("\t", -1);
            int order = Integer.signum(new ComparableVersion(pair[0]).compareTo(new ComparableVersion(pair[1])));
            out.println("1 1 " + order);
        }
        out.flush();
    }
}
