package dev.ebbtide.agent.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The node's side of the sandbox: which tools exist, whether the agent is root, which host paths exist to hide, and
 * the rank folders prepared for the job user. Builds the {@link Sandbox.Spec} for each rank; the argv itself is pure.
 */
public final class SandboxRuntime {
    /** {@code sandbox} setting: {@code bwrap} (default) or {@code none} (unsafe: ranks see what the agent sees). */
    public enum Mode {
        BWRAP,
        NONE;

        public static Mode parse(String text) {
            return switch (text.trim()) {
                case "bwrap" -> BWRAP;
                case "none" -> NONE;
                default -> null;
            };
        }
    }

    /** Top-level directories never hidden whole (a config file directly in one is hidden alone). */
    private static final Set<String> SYSTEM_DIRS =
            Set.of("/", "/etc", "/usr", "/var", "/opt", "/home", "/root", "/srv", "/tmp", "/run", "/bin", "/lib");

    private final Mode mode;
    private final String node;
    private final String bwrap;
    private final String setpriv;
    private final JobUser dropTo;
    private final List<Path> hide;
    private final boolean userNamespaces;

    /**
     * @param bwrap   the bwrap executable, or null when it is not installed
     * @param setpriv the setpriv executable (util-linux), or null when missing
     * @param root    whether the agent runs as root: then ranks run as {@code jobUser}
     * @param hide    host paths to hide (the work dir, the config's directory, {@code sandbox-hide})
     */
    public SandboxRuntime(
            Mode mode, String node, String bwrap, String setpriv, boolean root, JobUser jobUser, List<Path> hide) {
        this(mode, node, bwrap, setpriv, root, jobUser, hide, true);
    }

    /** As above; {@code userNamespaces} false when the kernel refuses unprivileged user namespaces. */
    public SandboxRuntime(
            Mode mode,
            String node,
            String bwrap,
            String setpriv,
            boolean root,
            JobUser jobUser,
            List<Path> hide,
            boolean userNamespaces) {
        this.userNamespaces = userNamespaces;
        this.mode = mode;
        this.node = node;
        this.bwrap = bwrap;
        this.setpriv = setpriv;
        this.dropTo = root ? jobUser : null;
        this.hide = List.copyOf(new LinkedHashSet<>(hide));
    }

    /** This machine: bwrap and setpriv found in /usr/bin or /bin, root = {@code user.name} root. */
    public static SandboxRuntime detect(
            Mode mode, String node, JobUser jobUser, Path workDir, Path configFile, List<Path> extraHide) {
        List<Path> hide = new ArrayList<>();
        hide.add(workDir.toAbsolutePath().normalize());
        if (configFile != null) {
            Path c = configFile.toAbsolutePath().normalize();
            Path dir = c.getParent();
            hide.add(dir == null || SYSTEM_DIRS.contains(dir.toString()) ? c : dir);
        }
        extraHide.forEach(p -> hide.add(p.toAbsolutePath().normalize()));
        return new SandboxRuntime(
                mode,
                node,
                executable("bwrap").orElse(null),
                executable("setpriv").orElse(null),
                "root".equals(System.getProperty("user.name")),
                jobUser,
                hide,
                !"0".equals(read("/proc/sys/user/max_user_namespaces"))
                        && !"0".equals(read("/proc/sys/kernel/unprivileged_userns_clone")));
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | RuntimeException e) {
            return null; // absent: the kernel has no such switch
        }
    }

    static Optional<String> executable(String name) {
        for (String dir : List.of("/usr/bin/", "/bin/", "/usr/local/bin/")) {
            if (Files.isExecutable(Path.of(dir + name))) {
                return Optional.of(dir + name);
            }
        }
        return Optional.empty();
    }

    public Mode mode() {
        return mode;
    }

    /** The uid:gid ranks run as, or null when they run as the agent's user. */
    public JobUser dropTo() {
        return dropTo;
    }

    public List<Path> hide() {
        return hide;
    }

    /** Why no rank can start on this node (one sentence, without "could not start"), or null. */
    public String problem() {
        if (mode == Mode.NONE) {
            return null;
        }
        if (bwrap == null) {
            return "bubblewrap (bwrap) is not installed on node " + node
                    + "; install the Debian package bubblewrap or set sandbox=none";
        }
        if (!userNamespaces) {
            return "node " + node + " does not allow unprivileged user namespaces, which bubblewrap needs (set the"
                    + " sysctl user.max_user_namespaces above 0 and kernel.unprivileged_userns_clone=1, or set"
                    + " sandbox=none)";
        }
        if (dropTo != null && setpriv == null) {
            return "setpriv is not installed on node " + node
                    + " (it drops the job to an unprivileged user); install the Debian package util-linux";
        }
        return null;
    }

    /** One line for the agent's start log. */
    public String describe() {
        if (mode == Mode.NONE) {
            return "sandbox=none: UNSAFE, jobs run unsandboxed as the agent's user and can read everything it can"
                    + " (its Kafka credentials, the work directory, other jobs' folders)";
        }
        String p = problem();
        return p != null
                ? "sandbox=bwrap, but " + p + ": every job will be refused"
                : "sandbox=bwrap (" + bwrap + "), ranks run as "
                        + (dropTo == null ? "the agent's user in a user namespace" : "uid:gid " + dropTo)
                        + ", hidden: " + hide;
    }

    /**
     * Creates {@code outputs/} and {@code logs/} in the rank's working directory and, when ranks drop to the job
     * user, gives the working directory and those to that user.
     */
    public void prepare(Path rankDir) throws IOException {
        Files.createDirectories(rankDir.resolve("outputs"));
        Files.createDirectories(rankDir.resolve("logs"));
        if (mode == Mode.BWRAP && dropTo != null) {
            for (Path p : List.of(rankDir, rankDir.resolve("outputs"), rankDir.resolve("logs"))) {
                chown(p, dropTo);
            }
        }
    }

    /**
     * Gives a whole folder the job user may write (a working directory with its unpacked code, an output folder) to
     * that user when ranks drop to it; creates {@code outputs/} and {@code logs/} only through {@link #prepare}.
     */
    public void prepareTree(Path dir) throws IOException {
        if (mode != Mode.BWRAP || dropTo == null) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isSymbolicLink(p)) {
                    chown(p, dropTo);
                }
            }
        }
    }

    /**
     * A host path bound into the sandbox must be reachable by the job user (bwrap resolves it as that user): the
     * first directory on the way without search permission for others, or null.
     */
    public Path unreachable(Path hostPath) throws IOException {
        if (mode != Mode.BWRAP || dropTo == null) {
            return null;
        }
        return firstClosed(hostPath.toAbsolutePath().getParent());
    }

    /** The first of {@code dir} and its ancestors that others cannot search ({@code o+x} missing), or null. */
    public static Path firstClosed(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Makes an image's unpacked root filesystem usable as a sandbox root: bwrap cannot create mount points in a
     * read-only root, so {@code /proc}, {@code /dev}, {@code /tmp} and {@code /mnt} are created when missing.
     */
    public static void prepareImage(Path rootfs) throws IOException {
        for (String d : List.of("proc", "dev", "tmp", "mnt")) {
            if (!Files.isDirectory(rootfs.resolve(d), LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(rootfs.resolve(d));
            }
        }
    }

    /**
     * The argv prefix for one rank; empty with {@code sandbox=none}.
     *
     * @param rootfs null = the host's root; else an image's unpacked root filesystem ({@link #prepareImage})
     */
    public List<String> argv(Path rootfs, List<Sandbox.Mount> mounts) {
        if (mode == Mode.NONE) {
            return List.of();
        }
        List<Sandbox.Hidden> hidden = new ArrayList<>();
        for (Path p : hide) {
            if (dropTo != null && closedAbove(p)) {
                // the job user cannot even pass through to it (and bwrap, running as that user, could not create the
                // mount point): the permissions already hide it
                continue;
            }
            if (Files.isDirectory(p)) {
                hidden.add(new Sandbox.Hidden(p, true));
            } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                hidden.add(new Sandbox.Hidden(p, false));
            }
        }
        return Sandbox.argv(new Sandbox.Spec(
                bwrap,
                rootfs,
                rootfs != null && Files.isRegularFile(rootfs.resolve("etc/resolv.conf"), LinkOption.NOFOLLOW_LINKS),
                hidden,
                mounts,
                new Sandbox.User(dropTo, setpriv)));
    }

    private static boolean closedAbove(Path p) {
        try {
            return p.getParent() != null && firstClosed(p.getParent()) != null;
        } catch (IOException e) {
            return false;
        }
    }

    private static void chown(Path p, JobUser u) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
        var lookup = p.getFileSystem().getUserPrincipalLookupService();
        view.setOwner(lookup.lookupPrincipalByName(Integer.toString(u.uid())));
        view.setGroup(lookup.lookupPrincipalByGroupName(Integer.toString(u.gid())));
    }
}
