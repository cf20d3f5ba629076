package dev.ebbtide.agent.sandbox;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The node's side of {@code runtime=docker}: where the docker CLI is, who a container runs as, how many GPUs it gets,
 * and the few docker commands the agent runs itself ({@code pull} at staging, {@code kill} on a SIGKILL). The argv of
 * a rank is pure ({@link Container#argv}); this adapter is thin on purpose, since no Docker engine runs where the
 * tests run.
 */
public final class ContainerRuntime {
    /** {@code runtime} setting: {@code bwrap} (default: every rank in bubblewrap) or {@code docker}. */
    public enum Kind {
        BWRAP,
        DOCKER;

        public static Kind parse(String text) {
            return switch (text.trim()) {
                case "bwrap" -> BWRAP;
                case "docker" -> DOCKER;
                default -> null;
            };
        }
    }

    private final String node;
    private final String docker;
    private final JobUser user;
    private final int gpus;
    private final Map<String, String> cliEnvironment;

    /**
     * @param docker the docker executable, or null when it is not installed
     * @param user   the uid:gid containers run as
     * @param gpus   the node's GPU count ({@code HostFacts}): more than 0 passes them all
     * @param cliEnvironment the docker CLI's whole environment (the job's variables never: they go in the env file,
     *                       so a job cannot set {@code DOCKER_HOST} or {@code DOCKER_CONFIG} for the CLI)
     */
    public ContainerRuntime(String node, String docker, JobUser user, int gpus, Map<String, String> cliEnvironment) {
        this.node = node;
        this.docker = docker;
        this.user = user;
        this.gpus = gpus;
        this.cliEnvironment = Map.copyOf(cliEnvironment);
    }

    /**
     * This machine: {@code docker} on the agent's {@code PATH} (then {@code /usr/bin}, {@code /usr/local/bin});
     * containers run as {@code jobUser} when the agent is root, else as the agent's own uid:gid (which owns the
     * job's folders then).
     */
    public static ContainerRuntime detect(String node, JobUser jobUser, boolean root, int gpus) {
        Map<String, String> env = new LinkedHashMap<>();
        String path = System.getenv("PATH");
        env.put("PATH", path == null || path.isBlank() ? "/usr/local/bin:/usr/bin:/bin" : path);
        String home = System.getenv("HOME");
        if (home != null) {
            env.put("HOME", home); // where the CLI finds ~/.docker/config.json (registry logins made by the operator)
        }
        JobUser user = root ? jobUser : self();
        return new ContainerRuntime(node, find("docker", env.get("PATH")).orElse(null), user, gpus, env);
    }

    private static JobUser self() {
        try {
            int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            int gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            return new JobUser(uid, gid);
        } catch (IOException | RuntimeException e) {
            return JobUser.NOBODY;
        }
    }

    /** The docker executable on {@code path} (then {@code /usr/bin}, {@code /usr/local/bin}), as {@link #detect}. */
    public static Optional<String> detectOn(String path) {
        return find("docker", path);
    }

    static Optional<String> find(String name, String path) {
        List<String> dirs = new ArrayList<>(List.of(path.split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/local/bin"));
        for (String dir : dirs) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, name)) && !Files.isDirectory(Path.of(dir, name))) {
                return Optional.of(Path.of(dir, name).toString());
            }
        }
        return Optional.empty();
    }

    public String docker() {
        return docker;
    }

    public JobUser user() {
        return user;
    }

    public int gpus() {
        return gpus;
    }

    /** The docker CLI's environment: the wrapper of a container rank runs with this one, not the job's. */
    public Map<String, String> cliEnvironment() {
        return cliEnvironment;
    }

    /** Why no container can start on this node (one sentence, without "could not start"), or null. */
    public String problem() {
        return docker == null
                ? "docker is not installed on node " + node + " (runtime=docker); install the Debian or Ubuntu package"
                        + " docker.io"
                : null;
    }

    /** One line for the agent's start log. */
    public String describe() {
        String p = problem();
        return p != null
                ? "runtime=docker, but " + p + ": every job with an image environment will be refused"
                : "runtime=docker (" + docker + "): image environments run in their container as uid:gid " + user
                        + (gpus > 0 ? ", --gpus all (" + gpus + " GPU(s))" : ", no GPU");
    }

    /** The argv prefix of one rank; append {@code /bin/sh -c COMMAND}. */
    public List<String> argv(String name, String image, List<Sandbox.Mount> mounts, Path envFile) {
        return Container.argv(new Container.Spec(docker, name, image, user, mounts, envFile, gpus));
    }

    /**
     * {@code docker pull IMAGE}; returns its duration in ms. A failure is an {@link IOException} of one sentence
     * naming the image, with docker's last line; an interrupt (the job was stopped) ends the pull.
     */
    public long pull(String image) throws IOException {
        String p = problem();
        if (p != null) {
            throw new IOException(p);
        }
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(docker, "pull", "--quiet", image).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(cliEnvironment);
        Process proc = pb.start();
        try {
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = proc.waitFor();
            if (code != 0) {
                String last = out.strip().lines().reduce((a, b) -> b).orElse("exit code " + code);
                throw new IOException("the image " + image + " could not be pulled on node " + node + ": " + last);
            }
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("the pull of the image " + image + " was interrupted");
        } finally {
            if (proc.isAlive()) {
                proc.destroyForcibly();
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * {@code docker kill NAME}, not waited for: a SIGKILL to the wrapper's group ends {@code docker run} but cannot
     * be proxied into the container, which would run on. A container already gone only makes docker say so.
     */
    public void kill(String name) {
        if (docker == null) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(docker, "kill", name)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(cliEnvironment);
        try {
            Process proc = pb.start();
            proc.onExit().orTimeout(60, TimeUnit.SECONDS).exceptionally(t -> {
                proc.destroyForcibly();
                return proc;
            });
        } catch (IOException e) {
            // the docker CLI vanished: nothing more can be done from here
        }
    }
}
