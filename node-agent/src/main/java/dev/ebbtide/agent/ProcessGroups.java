package dev.ebbtide.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Process groups on Linux: read from /proc, signalled with {@code kill -SIG -- -PGID}. */
final class ProcessGroups {
    private static final Path PROC = Path.of("/proc");

    private ProcessGroups() {}

    /** The process group of a process, or -1 when it is gone. */
    static long pgidOf(long pid) {
        String[] f = stat(pid);
        return f == null ? -1 : Long.parseLong(f[2]);
    }

    /** True while any process (not a zombie) is in the group. */
    static boolean alive(long pgid) {
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path d : dirs) {
                String[] f = stat(Long.parseLong(d.getFileName().toString()));
                if (f != null && Long.parseLong(f[2]) == pgid && !"Z".equals(f[0]) && !"X".equals(f[0])) {
                    return true;
                }
            }
        } catch (IOException e) {
            return true; // cannot tell: assume alive, checked again later
        }
        return false;
    }

    /** Sends {@code signal} (TERM, KILL) to every process of the group; never to the agent's own group. */
    static void signal(long pgid, String signal) {
        if (pgid <= 1 || pgid == pgidOf(ProcessHandle.current().pid())) {
            return;
        }
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // the group is gone or kill is missing; the exit watch reports what happened
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * SIGTERM to every process of the group but bubblewrap's own: {@code bwrap} dies on TERM, and with
     * {@code --die-with-parent} its sandbox would be killed at once, so the job's TERM handler would never get its grace
     * period. The command inside gets TERM; when it ends, bwrap ends with its code. A group without bwrap gets a plain
     * group signal.
     */
    static void terminate(long pgid) {
        if (pgid <= 1 || pgid == pgidOf(ProcessHandle.current().pid())) {
            return;
        }
        java.util.List<String> targets = new java.util.ArrayList<>();
        boolean sandboxed = false;
        try (DirectoryStream<Path> dirs =
                Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path d : dirs) {
                long pid = Long.parseLong(d.getFileName().toString());
                String[] f = stat(pid);
                if (f == null || Long.parseLong(f[2]) != pgid || "Z".equals(f[0])) {
                    continue;
                }
                if ("bwrap".equals(command(pid))) {
                    sandboxed = true;
                } else {
                    targets.add(Long.toString(pid));
                }
            }
        } catch (IOException | RuntimeException e) {
            sandboxed = false;
        }
        if (!sandboxed) {
            signal(pgid, "TERM");
            return;
        }
        if (targets.isEmpty()) {
            return;
        }
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("kill", "-TERM", "--"));
        cmd.addAll(targets);
        try {
            new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // gone meanwhile; the exit watch reports what happened
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The command name of a process ({@code /proc/PID/stat}'s second field), or null when gone. */
    private static String command(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Fields of /proc/PID/stat after the command name: [state, ppid, pgrp, …]; null when gone. */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
