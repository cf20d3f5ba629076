package dev.ebbtide.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.DebianPackages;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Check tools from the npm registry, installed by the test that needs them (as on a fresh CI machine): {@code npm
 * install} of pinned versions into {@code ~/.cache/ebbtide/tools/<name>} (or {@code EBBTIDE_TOOLS}), once, under a
 * file lock. Node.js and npm come from Debian ({@code apt-get install nodejs npm}, as root) when missing. A tool that
 * cannot be installed fails the test: these checks are never skipped.
 */
final class NpmTools {
    private NpmTools() {}

    /** Installs {@code packages} (name@version) into the tool directory {@code name}; returns that directory. */
    static Path install(String name, String... packages) throws IOException, InterruptedException {
        npm();
        String configured = System.getenv("EBBTIDE_TOOLS");
        Path tools = configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "ebbtide", "tools");
        Path dir = tools.resolve(name);
        Path marker = dir.resolve(".installed");
        String want = String.join(" ", packages) + "\n";
        if (Files.exists(marker) && Files.readString(marker).equals(want)) {
            return dir;
        }
        Files.createDirectories(tools);
        try (FileChannel lockFile = FileChannel.open(
                        tools.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile.lock()) {
            if (Files.exists(marker) && Files.readString(marker).equals(want)) {
                return dir;
            }
            Files.createDirectories(dir);
            List<String> cmd = new ArrayList<>(List.of(
                    "npm",
                    "install",
                    "--prefix",
                    dir.toString(),
                    "--no-audit",
                    "--no-fund",
                    "--no-save",
                    "--loglevel=error"));
            cmd.addAll(List.of(packages));
            Run r = run(cmd, dir, 10);
            assertEquals(0, r.exit(), () -> String.join(" ", cmd) + " failed:\n" + r.output());
            Files.writeString(marker, want);
            return dir;
        }
    }

    /** Output and exit code of a command run in {@code dir}, within {@code minutes}. */
    record Run(int exit, String output) {}

    static Run run(List<String> cmd, Path dir, int minutes) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("npm_config_update_notifier", "false");
        pb.environment().put("NO_COLOR", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(
                p.waitFor(minutes, TimeUnit.MINUTES), () -> String.join(" ", cmd) + " took over " + minutes + " min");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void npm() throws IOException, InterruptedException {
        if (DebianPackages.tool("npm", "npm").isEmpty()) {
            throw new AssertionError(DebianPackages.whyMissing("npm", "npm"));
        }
    }
}
