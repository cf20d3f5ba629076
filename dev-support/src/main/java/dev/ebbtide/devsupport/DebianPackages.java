package dev.ebbtide.devsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds a command-line tool that tests run as a real client (cloud-init's schema check, promtool), installing its
 * Debian package with apt-get when it is missing and the JVM runs as root (as on CI). A fresh machine may have no
 * package lists yet: the install is retried once after {@code apt-get update}.
 */
public final class DebianPackages {
    private static final long APT_TIMEOUT_S = 300;

    private DebianPackages() {}

    /** The tool's path, or empty with {@link #whyMissing} telling why it could not be had. */
    public static Optional<String> tool(String command, String debianPackage) throws IOException, InterruptedException {
        Optional<String> found = find(command);
        if (found.isPresent() || !canInstall()) {
            return found;
        }
        if (apt("install", "-y", "--no-install-recommends", debianPackage)
                || (apt("update") && apt("install", "-y", "--no-install-recommends", debianPackage))) {
            return find(command);
        }
        return Optional.empty();
    }

    /**
     * Makes sure Debian packages are installed (with apt-get when missing and root, as on CI).
     *
     * @return the packages still missing afterwards (empty when all are installed)
     */
    public static List<String> packages(String... names) throws IOException, InterruptedException {
        List<String> missing = missing(names);
        if (missing.isEmpty() || !canInstall()) {
            return missing;
        }
        List<String> install = new ArrayList<>(List.of("install", "-y", "--no-install-recommends"));
        install.addAll(missing);
        if (!apt(install.toArray(String[]::new))) {
            apt("update");
            apt(install.toArray(String[]::new));
        }
        return missing(names);
    }

    private static List<String> missing(String... names) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", name)
                    .redirectErrorStream(true)
                    .start();
            String status = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (p.waitFor() != 0 || !status.contains("install ok installed")) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** One sentence for a skipped test. */
    public static String whyMissing(String command, String debianPackage) {
        return canInstall()
                ? command + " could not be installed with apt-get within " + APT_TIMEOUT_S + " s"
                : command + " is not installed and cannot be installed here (needs root and apt-get): apt-get install "
                        + debianPackage + " to run this check";
    }

    private static Optional<String> find(String command) {
        for (String dir : List.of("/usr/bin/", "/usr/local/bin/")) {
            if (Files.isExecutable(Path.of(dir + command))) {
                return Optional.of(dir + command);
            }
        }
        return Optional.empty();
    }

    private static boolean canInstall() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"));
    }

    private static boolean apt(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("apt-get"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        if (!p.waitFor(APT_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
