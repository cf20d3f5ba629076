package dev.ebbtide.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One OS process of a job on this node: a wrapper shell (its own session and process group, so pid = pgid) that runs
 * the command with {@code /bin/sh -c} and writes the exit code to a file. Either started by this agent or adopted
 * from a previous agent on the same node (then only its group is known).
 */
final class RankProcess {
    /**
     * Records the command's exit code where a restarted agent finds it; traps TERM so it can still write it. Its
     * arguments are the exit file and then the argv to run (the sandbox's, ending in {@code /bin/sh -c COMMAND}).
     */
    static final String WRAPPER = """
            trap 'ebbtide_stopping=1' TERM INT HUP
            ebbtide_exit="$1"
            shift
            "$@"
            code=$?
            printf '%s\\n' "$code" > "$ebbtide_exit.tmp" && mv -f "$ebbtide_exit.tmp" "$ebbtide_exit"
            exit "$code"
            """;

    final String key;
    final int rank;
    final int localRank;
    final long pgid;
    final Path log;
    final LogTail tail;
    private final Process process;
    private final Path exitFile;
    private final Path pgidFile;
    private boolean done;
    private Integer exitCode;
    /** Also run on a SIGKILL (a container rank: {@code docker kill}, since KILL cannot be proxied); null = nothing. */
    Runnable onKill;

    RankProcess(String key, int rank, int localRank, long pgid, Process process, Layout layout, Path log) {
        this.key = key;
        this.rank = rank;
        this.localRank = localRank;
        this.pgid = pgid;
        this.process = process;
        this.log = log;
        this.exitFile = layout.exitFile(key);
        this.pgidFile = layout.pgidFile(key);
        this.tail = new LogTail(log, layout.logPosFile(key));
    }

    /**
     * The command line of the wrapper for {@link ProcessBuilder}: {@code sandbox} (empty = none) is the argv prefix
     * that runs {@code /bin/sh -c command} sandboxed.
     */
    static java.util.List<String> commandLine(Path exitFile, java.util.List<String> sandbox, String command) {
        java.util.List<String> cmd = new java.util.ArrayList<>(
                java.util.List.of("setsid", "/bin/sh", "-c", WRAPPER, "ebbtide-rank", exitFile.toString()));
        cmd.addAll(sandbox);
        cmd.addAll(java.util.List.of("/bin/sh", "-c", command));
        return cmd;
    }

    boolean adopted() {
        return process == null;
    }

    /** Checks whether the process ended; true once it has (then {@link #exitCode()} is known, or null if lost). */
    boolean poll() {
        if (done) {
            return true;
        }
        if (process != null) {
            if (process.isAlive()) {
                return false;
            }
            exitCode = process.exitValue();
        } else {
            if (ProcessGroups.alive(pgid)) {
                return false;
            }
            exitCode = readExitFile(exitFile);
        }
        ProcessGroups.signal(pgid, "KILL"); // whatever it left behind in its group goes with it
        done = true;
        try {
            Files.deleteIfExists(pgidFile);
        } catch (IOException e) {
            // the local provider only signals a group that is gone
        }
        return true;
    }

    Integer exitCode() {
        return exitCode;
    }

    void signal(String sig) {
        if (!done) {
            if ("TERM".equals(sig)) {
                ProcessGroups.terminate(pgid); // the sandboxed command gets TERM and its grace; bwrap waits for it
            } else {
                ProcessGroups.signal(pgid, sig);
            }
            if ("KILL".equals(sig) && onKill != null) {
                onKill.run();
            }
        }
    }

    static Integer readExitFile(Path file) {
        try {
            return Files.exists(file) ? Integer.valueOf(Files.readString(file).trim()) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }
}
