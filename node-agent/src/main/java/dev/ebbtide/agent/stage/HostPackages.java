package dev.ebbtide.agent.stage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Which Debian packages an environment needs are not installed on this node ({@code dpkg-query -W}). */
public interface HostPackages {
    /** The packages of {@code wanted} that are not installed, in order. */
    List<String> missing(List<String> wanted) throws IOException;

    /** This machine, asked with {@code dpkg-query}; without dpkg every package is missing. */
    HostPackages DPKG = wanted -> {
        List<String> missing = new ArrayList<>();
        for (String p : wanted) {
            if (!installed(p)) {
                missing.add(p);
            }
        }
        return missing;
    };

    private static boolean installed(String pkg) throws IOException {
        if (!pkg.matches("[a-z0-9][a-z0-9+.-]*")) {
            return false;
        }
        Process p;
        try {
            p = new ProcessBuilder("dpkg-query", "-W", "-f=${db:Status-Status}", pkg)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            return false; // no dpkg: not a Debian node
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("dpkg-query did not answer within 30 s about " + pkg);
            }
            return p.exitValue() == 0 && out.trim().equals("installed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking dpkg-query about " + pkg);
        }
    }
}
