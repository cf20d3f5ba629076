package dev.ebbtide.agent.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Pure: the argv that runs one rank's command in a bubblewrap ({@code bwrap}) sandbox, given the rank's facts. The
 * trusted wrapper shell runs it outside the sandbox (it writes the exit file into the agent's hidden {@code ranks/});
 * only the command runs inside. No {@code --new-session}: the sandboxed processes stay in the wrapper's process group,
 * so the agent's group signals (TERM, then KILL) still reach them.
 *
 * <p>Inside: a read-only root (the host's or an image's unpacked root filesystem), the hidden host paths covered
 * (an empty tmpfs over a directory, {@code /dev/null} over a file), fresh {@code /proc} (own pid namespace: the
 * agent's processes are invisible), {@code /dev} and {@code /tmp}, and the job's folders at the same fixed paths for
 * both roots under {@code /mnt/azureml}. The network is shared (ranks rendezvous; inputs may come over https).
 */
public final class Sandbox {
    /** The rank's working directory inside the sandbox: cwd, {@code HOME}, {@code EBBTIDE_WORK_DIR}. */
    public static final String WORK_DIR = "/mnt/azureml/wd";
    /** Inputs are bound read-only at {@code INPUTS/<name>}. */
    public static final String INPUTS = "/mnt/azureml/inputs";
    /** Outputs are bound writable at {@code OUTPUTS/<name>}. */
    public static final String OUTPUTS = "/mnt/azureml/outputs";
    /** The mpi host file ({@code EBBTIDE_HOSTFILE}), read-only. */
    public static final String HOSTFILE = "/mnt/azureml/hostfile";

    private Sandbox() {}

    /** A host path bound into the sandbox at {@code sandboxPath} (under {@code /mnt/azureml}). */
    public record Mount(Path host, String sandboxPath, boolean readOnly) {
        public Mount {
            Objects.requireNonNull(host, "host");
            if (sandboxPath == null || !sandboxPath.startsWith("/mnt/azureml/") || sandboxPath.contains("/../")) {
                throw new IllegalArgumentException(
                        "a sandbox mount must be below /mnt/azureml/, got '" + sandboxPath + "'");
            }
        }
    }

    /** A host path made invisible: a directory gets an empty tmpfs, a file {@code /dev/null}. */
    public record Hidden(Path path, boolean directory) {}

    /**
     * Who runs the command. {@code drop} (null = stay) is the unprivileged uid:gid the wrapper switches to with
     * {@code setpriv} before bwrap starts, when the agent is root; bwrap then runs unprivileged in a user namespace.
     */
    public record User(JobUser drop, String setpriv) {
        public static final User SAME = new User(null, null);
    }

    /**
     * Everything about one rank the argv depends on.
     *
     * @param bwrap  the bwrap executable
     * @param rootfs null = the host's root, read-only; else an image's unpacked root filesystem (a host directory)
     * @param imageHasResolvConf for an image root: whether it has {@code /etc/resolv.conf} to bind the host's over
     * @param hidden host paths to cover; only used with the host root (an image root shows nothing of the host)
     * @param mounts the job's folders, in order (the working directory first)
     */
    public record Spec(
            String bwrap, Path rootfs, boolean imageHasResolvConf, List<Hidden> hidden, List<Mount> mounts, User user) {
        public Spec {
            hidden = List.copyOf(hidden);
            mounts = List.copyOf(mounts);
            user = user == null ? User.SAME : user;
        }
    }

    /**
     * The rank's environment with its paths as the sandbox shows them: {@code HOME} and {@code EBBTIDE_WORK_DIR} are
     * {@link #WORK_DIR}, {@code EBBTIDE_HOSTFILE} (when set) is {@link #HOSTFILE}.
     */
    public static Map<String, String> environment(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("EBBTIDE_WORK_DIR", WORK_DIR);
        e.put("HOME", WORK_DIR);
        if (e.containsKey("EBBTIDE_HOSTFILE")) {
            e.put("EBBTIDE_HOSTFILE", HOSTFILE);
        }
        return e;
    }

    /** The argv (without the command) that runs what follows it in the sandbox; append {@code /bin/sh -c CMD}. */
    public static List<String> argv(Spec s) {
        List<String> a = new ArrayList<>();
        if (s.user().drop() != null) {
            JobUser u = s.user().drop();
            a.addAll(List.of(
                    s.user().setpriv(),
                    "--reuid=" + u.uid(),
                    "--regid=" + u.gid(),
                    "--clear-groups",
                    "--no-new-privs",
                    "--"));
        }
        a.add(s.bwrap());
        a.addAll(List.of("--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts"));
        if (s.rootfs() == null) {
            a.addAll(List.of("--ro-bind", "/", "/"));
            for (Hidden h : s.hidden()) {
                String p = h.path().toString();
                if (h.directory()) {
                    a.addAll(List.of("--tmpfs", p));
                } else {
                    a.addAll(List.of("--ro-bind", "/dev/null", p));
                }
            }
        } else {
            a.addAll(List.of("--ro-bind", s.rootfs().toString(), "/"));
            if (s.imageHasResolvConf()) {
                a.addAll(List.of("--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"));
            }
        }
        a.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/mnt"));
        for (Mount m : s.mounts()) {
            a.addAll(List.of(m.readOnly() ? "--ro-bind" : "--bind", m.host().toString(), m.sandboxPath()));
        }
        a.addAll(List.of("--chdir", WORK_DIR, "--"));
        return a;
    }
}
