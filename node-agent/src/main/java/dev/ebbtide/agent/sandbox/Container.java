package dev.ebbtide.agent.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Pure: the {@code docker run} argv that runs one rank's command in its image's container, given the rank's facts; the
 * container counterpart of {@link Sandbox#argv}. The trusted wrapper shell runs it (it writes the exit file into the
 * agent's {@code ranks/}, which the container never sees) and appends {@code /bin/sh -c COMMAND}.
 *
 * <p>The job's folders are bound at the same {@code /mnt/azureml/…} paths as in the bubblewrap sandbox, so the run
 * plan is the same for both. The environment goes through {@code --env-file} (a 0600 file in the agent's hidden
 * {@code ranks/}), never {@code -e NAME=VALUE}: a command line is visible to every user of the node in {@code ps}.
 * The container is attached ({@code --sig-proxy} is on by default), so the agent's TERM to the wrapper's group reaches
 * the command through {@code docker run} and {@code --init}; a KILL cannot be proxied, so the agent also
 * {@code docker kill}s the container by its {@link #name}.
 */
public final class Container {
    /** Azure ML's default {@code resources.shm_size}; Docker's own 64 MB breaks PyTorch data loader workers. */
    public static final String SHM_SIZE = "2g";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern NAME_CHAR = Pattern.compile("[^A-Za-z0-9_.-]");

    private Container() {}

    /**
     * Everything about one rank the argv depends on.
     *
     * @param docker  the docker executable
     * @param name    the container's name ({@link #name})
     * @param image   a valid, normalized image reference ({@code ImageName.docker}), pulled at staging
     * @param user    the uid:gid the command runs as (never root)
     * @param mounts  the job's folders, in order (the working directory first)
     * @param envFile the rank's environment ({@link #envFile}), a file the container does not see
     * @param gpus    the node's GPU count: more than 0 passes them all ({@code --gpus all})
     */
    public record Spec(
            String docker,
            String name,
            String image,
            JobUser user,
            List<Sandbox.Mount> mounts,
            Path envFile,
            int gpus) {
        public Spec {
            Objects.requireNonNull(docker, "docker");
            Objects.requireNonNull(image, "image");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(envFile, "envFile");
            mounts = List.copyOf(mounts);
        }
    }

    /** {@code ebbtide-<job>-<attempt>-<rank>}, characters Docker refuses in a name replaced by {@code _}. */
    public static String name(String jobId, int attempt, int rank) {
        return "ebbtide-" + NAME_CHAR.matcher(jobId).replaceAll("_") + "-" + attempt + "-" + rank;
    }

    /** The argv (without the command) that runs what follows it in the container; append {@code /bin/sh -c CMD}. */
    public static List<String> argv(Spec s) {
        List<String> a = new ArrayList<>(List.of(
                s.docker(),
                "run",
                "--rm",
                "--name",
                s.name(),
                "--init",
                "--pull",
                "never",
                "--user",
                s.user().uid() + ":" + s.user().gid(),
                "--security-opt",
                "no-new-privileges",
                "--cap-drop",
                "ALL",
                "--network",
                "host",
                "--shm-size",
                SHM_SIZE));
        for (Sandbox.Mount m : s.mounts()) {
            String host = m.host().toString();
            if (host.contains(":") || host.contains(",")) {
                throw new IllegalArgumentException(
                        "the job's folder " + host + " has a ':' or ',' in its path, which docker -v cannot bind");
            }
            a.addAll(List.of("-v", host + ":" + m.sandboxPath() + (m.readOnly() ? ":ro" : "")));
        }
        a.addAll(List.of("-w", Sandbox.WORK_DIR, "--env-file", s.envFile().toString()));
        if (s.gpus() > 0) {
            a.addAll(List.of("--gpus", "all"));
        }
        // the image's ENTRYPOINT would receive "/bin/sh -c COMMAND" as arguments: the command runs as written instead
        a.addAll(List.of("--entrypoint", "", s.image()));
        return a;
    }

    /**
     * The content of the rank's {@code --env-file}: one {@code NAME=VALUE} line per variable. Docker takes each value
     * verbatim up to the end of its line (spaces, quotes, {@code $} and {@code =} included, no quoting), so a value
     * with a line break cannot be passed: refused with one sentence naming the variable.
     */
    public static String envFile(Map<String, String> env) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue();
            if (!ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name '" + name + "' is not usable in a"
                        + " container ([A-Za-z_][A-Za-z0-9_]*)");
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("environment variable " + name + " holds a line break, which"
                        + " docker's --env-file cannot pass into the job's container; put the value in a file of the"
                        + " job's code instead");
            }
            out.append(name).append('=').append(value).append('\n');
        }
        return out.toString();
    }
}
