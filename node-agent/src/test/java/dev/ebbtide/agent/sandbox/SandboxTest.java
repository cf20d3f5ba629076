package dev.ebbtide.agent.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SandboxTest {
    static final Sandbox.Mount WD = new Sandbox.Mount(Path.of("/w/jobs/j/attempt-1/rank-0"), Sandbox.WORK_DIR, false);
    static final Sandbox.Mount HOSTS =
            new Sandbox.Mount(Path.of("/w/jobs/j/attempt-1/hostfile"), Sandbox.HOSTFILE, true);
    static final List<String> NS = List.of(
            "/usr/bin/bwrap", "--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts");
    static final List<String> FRESH = List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/mnt");
    static final List<String> WD_BIND = List.of("--bind", "/w/jobs/j/attempt-1/rank-0", "/mnt/azureml/wd");
    static final List<String> END = List.of("--chdir", "/mnt/azureml/wd", "--");

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of(
                        "host root, agent not root: no uid drop, only the working directory",
                        new Sandbox.Spec("/usr/bin/bwrap", null, false, List.of(), List.of(WD), Sandbox.User.SAME),
                        concat(NS, List.of("--ro-bind", "/", "/"), FRESH, WD_BIND, END)),
                Arguments.of(
                        "host root, hidden directory and file come right after the root bind",
                        new Sandbox.Spec(
                                "/usr/bin/bwrap",
                                null,
                                false,
                                List.of(
                                        new Sandbox.Hidden(Path.of("/srv/.ebbtide"), true),
                                        new Sandbox.Hidden(Path.of("/etc/agent.properties"), false)),
                                List.of(WD),
                                Sandbox.User.SAME),
                        concat(
                                NS,
                                List.of("--ro-bind", "/", "/", "--tmpfs", "/srv/.ebbtide"),
                                List.of("--ro-bind", "/dev/null", "/etc/agent.properties"),
                                FRESH,
                                WD_BIND,
                                END)),
                Arguments.of(
                        "agent is root: setpriv drops to the job user before bwrap starts",
                        new Sandbox.Spec(
                                "/usr/bin/bwrap",
                                null,
                                false,
                                List.of(),
                                List.of(WD),
                                new Sandbox.User(new JobUser(65534, 65534), "/usr/bin/setpriv")),
                        concat(
                                List.of(
                                        "/usr/bin/setpriv",
                                        "--reuid=65534",
                                        "--regid=65534",
                                        "--clear-groups",
                                        "--no-new-privs",
                                        "--"),
                                NS,
                                List.of("--ro-bind", "/", "/"),
                                FRESH,
                                WD_BIND,
                                END)),
                Arguments.of(
                        "image root: the host's hidden paths are not needed, resolv.conf bound when the image has one",
                        new Sandbox.Spec(
                                "/usr/bin/bwrap",
                                Path.of("/images/abc/rootfs"),
                                true,
                                List.of(new Sandbox.Hidden(Path.of("/srv/.ebbtide"), true)),
                                List.of(WD),
                                Sandbox.User.SAME),
                        concat(
                                NS,
                                List.of("--ro-bind", "/images/abc/rootfs", "/"),
                                List.of("--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"),
                                FRESH,
                                WD_BIND,
                                END)),
                Arguments.of(
                        "image root without resolv.conf; mpi host file and an input read-only, an output writable",
                        new Sandbox.Spec(
                                "/usr/bin/bwrap",
                                Path.of("/images/abc/rootfs"),
                                false,
                                List.of(),
                                List.of(
                                        WD,
                                        HOSTS,
                                        new Sandbox.Mount(Path.of("/d/in"), Sandbox.INPUTS + "/data", true),
                                        new Sandbox.Mount(Path.of("/d/out"), Sandbox.OUTPUTS + "/model", false)),
                                Sandbox.User.SAME),
                        concat(
                                NS,
                                List.of("--ro-bind", "/images/abc/rootfs", "/"),
                                FRESH,
                                WD_BIND,
                                List.of("--ro-bind", "/w/jobs/j/attempt-1/hostfile", "/mnt/azureml/hostfile"),
                                List.of("--ro-bind", "/d/in", "/mnt/azureml/inputs/data"),
                                List.of("--bind", "/d/out", "/mnt/azureml/outputs/model"),
                                END)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void buildsTheArgv(String name, Sandbox.Spec spec, List<String> expected) {
        assertEquals(expected, Sandbox.argv(spec));
    }

    @Test
    void neverStartsANewSessionSoGroupSignalsReachTheCommand() {
        List<String> argv =
                Sandbox.argv(new Sandbox.Spec("bwrap", null, false, List.of(), List.of(WD), Sandbox.User.SAME));
        assertFalse(argv.contains("--new-session"));
        assertFalse(argv.contains("--unshare-net") || argv.contains("--unshare-all"), "ranks keep the network");
    }

    @Test
    void theEnvironmentNamesTheSandboxPaths() {
        assertEquals(
                Map.of("HOME", "/mnt/azureml/wd", "EBBTIDE_WORK_DIR", "/mnt/azureml/wd", "PATH", "/usr/bin"),
                Sandbox.environment(Map.of("HOME", "/w/r", "EBBTIDE_WORK_DIR", "/w/r", "PATH", "/usr/bin")));
        assertEquals(
                "/mnt/azureml/hostfile",
                Sandbox.environment(Map.of("EBBTIDE_HOSTFILE", "/w/hostfile")).get("EBBTIDE_HOSTFILE"));
    }

    @Test
    void mountsStayBelowMntAzureml() {
        assertThrows(IllegalArgumentException.class, () -> new Sandbox.Mount(Path.of("/x"), "/etc/passwd", true));
        assertThrows(
                IllegalArgumentException.class, () -> new Sandbox.Mount(Path.of("/x"), "/mnt/azureml/../../etc", true));
    }

    @Test
    void jobUserParsesUidGidAndRefusesRoot() {
        assertEquals(new JobUser(1000, 100), JobUser.parse("1000:100"));
        assertEquals(new JobUser(1000, 1000), JobUser.parse(" 1000 "));
        assertNull(JobUser.parse("nobody"));
        assertEquals(
                "job-user must not be root (uid and gid above 0), got 0:0",
                assertThrows(IllegalArgumentException.class, () -> JobUser.parse("0"))
                        .getMessage());
    }

    @Test
    void aMissingBwrapIsOneSentenceNamingTheNodeAndTheWayOut() {
        SandboxRuntime r = new SandboxRuntime(
                SandboxRuntime.Mode.BWRAP, "n7", null, "/usr/bin/setpriv", true, JobUser.NOBODY, List.of());
        assertEquals(
                "bubblewrap (bwrap) is not installed on node n7; install the Debian package bubblewrap or set"
                        + " sandbox=none",
                r.problem());
        assertNull(new SandboxRuntime(SandboxRuntime.Mode.NONE, "n7", null, null, true, JobUser.NOBODY, List.of())
                .problem());
        assertEquals(
                "node n7 does not allow unprivileged user namespaces, which bubblewrap needs (set the sysctl"
                        + " user.max_user_namespaces above 0 and kernel.unprivileged_userns_clone=1, or set"
                        + " sandbox=none)",
                new SandboxRuntime(
                                SandboxRuntime.Mode.BWRAP,
                                "n7",
                                "/usr/bin/bwrap",
                                "/usr/bin/setpriv",
                                true,
                                JobUser.NOBODY,
                                List.of(),
                                false)
                        .problem());
        assertTrue(new SandboxRuntime(SandboxRuntime.Mode.NONE, "n7", null, null, true, JobUser.NOBODY, List.of())
                .describe()
                .contains("UNSAFE"));
    }

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        return Stream.of(parts).flatMap(List::stream).toList();
    }
}
