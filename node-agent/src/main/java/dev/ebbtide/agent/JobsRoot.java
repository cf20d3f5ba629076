package dev.ebbtide.agent;

import dev.ebbtide.agent.sandbox.SandboxRuntime;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where the jobs' folders go. Under the work dir ({@code jobs/}) unless the agent is root, sandboxed, and a directory
 * above them is not searchable by others (a clone under {@code /root}, mode 0700: bwrap resolves bind sources as the
 * job user). Then below {@code jobs-root}, in a folder named by a hash of the work dir, created root-owned 0711 (the
 * job user passes through, lists nothing) and hidden in every sandbox like the work dir.
 */
final class JobsRoot {
    private JobsRoot() {}

    /** The layout to use; {@code layout} unchanged when its jobs' folders are reachable. */
    static Layout choose(Layout layout, SandboxRuntime.Mode mode, boolean root, Path jobsRoot) throws IOException {
        if (mode != SandboxRuntime.Mode.BWRAP || !root) {
            return layout;
        }
        Files.createDirectories(layout.jobs());
        Path closed = SandboxRuntime.firstClosed(layout.jobs());
        if (closed == null) {
            return layout;
        }
        Path jobs = jobsRoot.resolve(hash(layout.root()));
        for (Path d : new Path[] {jobsRoot, jobs}) {
            Files.createDirectories(d);
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx--x--x"));
        }
        Path stillClosed = SandboxRuntime.firstClosed(jobs);
        if (stillClosed != null) {
            throw new IOException("the job user cannot reach the jobs root " + jobs + " either, because " + stillClosed
                    + " is not searchable by others; set jobs-root to a folder under a searchable one");
        }
        AgentLog.info("the job user cannot pass through " + closed + " (not searchable by others), so the jobs'"
                + " folders are in " + jobs + " (hidden from every job like the work dir)");
        return layout.withJobsRoot(jobs);
    }

    private static String hash(Path workDir) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(workDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
