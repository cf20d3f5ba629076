package dev.ebbtide.common.validation;

import dev.ebbtide.common.events.Distribution;
import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.job.CommandTemplate;
import dev.ebbtide.common.job.JobInput;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The limits every job meets, checked in one place: at the REST edge (job-submitter, after parsing the YAML) and by
 * the scheduler for submissions that come straight from Kafka. What the edge accepts is never refused later for a
 * reason the edge could have seen. Each refusal is one sentence. docs/configuration.md lists the limits.
 */
public final class JobRules {
    /** A job's command, in UTF-8 bytes. */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;
    /** Environment variables per job. */
    public static final int MAX_ENV_VARS = 256;
    /** An environment variable's name, in characters (POSIX: letters, digits, '_', not starting with a digit). */
    public static final int MAX_ENV_NAME_CHARS = 256;
    /** An environment variable's value, in UTF-8 bytes. */
    public static final int MAX_ENV_VALUE_BYTES = 32 * 1024;
    /** Nodes one job may ask for. */
    public static final int MAX_INSTANCE_COUNT = 1000;
    /** Processes per node ({@code distribution.process_count_per_instance}). */
    public static final int MAX_PROCESSES_PER_NODE = 1024;
    /** {@code limits.timeout}: at least 1 s, at most 30 days. */
    public static final long MIN_TIMEOUT_SECONDS = 1;

    public static final long MAX_TIMEOUT_SECONDS = 30L * 24 * 3600;
    /** {@code display_name}, {@code experiment_name}, a job id, in characters. */
    public static final int MAX_NAME_CHARS = 256;
    /** The whole submission as JSON, in bytes: well under Kafka's default 1 MiB record limit. */
    public static final int MAX_EVENT_BYTES = 512 * 1024;

    public static final Set<String> PRIORITIES = Set.of("low", "medium", "high");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern CLUSTER_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{1,31}");

    private JobRules() {}

    /** Why this submission is refused, or empty when it meets every limit. */
    public static Optional<String> check(JobSubmitted job) {
        if (job.jobId() == null || job.jobId().isBlank()) {
            return Optional.of("jobId is missing or empty");
        }
        Optional<String> id = name("jobId", job.jobId())
                .or(() -> name("submittedBy", job.submittedBy()))
                .or(() -> job.team() == null
                        ? Optional.empty()
                        : dev.ebbtide.common.teams.Teams.nameProblem("team", job.team()));
        if (id.isPresent()) {
            return id;
        }
        if (job.cluster() == null || job.cluster().isBlank()) {
            return Optional.of(dev.ebbtide.common.compute.DefaultCompute.NONE_CONFIGURED);
        }
        if (!CLUSTER_NAME.matcher(job.cluster()).matches()) {
            return Optional.of(
                    "cluster '" + job.cluster() + "' is not a cluster name (2 to 32 characters of a-z, 0-9 and '-')");
        }
        if (job.spec() == null) {
            return Optional.of("spec is missing");
        }
        Optional<String> spec = check(job.spec());
        if (spec.isPresent()) {
            return spec;
        }
        int bytes = EventJson.write(job).getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_EVENT_BYTES) {
            return Optional.of("the job is " + bytes + " bytes as JSON, more than " + MAX_EVENT_BYTES);
        }
        return Optional.empty();
    }

    /** Why this job spec is refused, or empty when it meets every limit. */
    public static Optional<String> check(JobSpec spec) {
        if (spec.command() == null || spec.command().isBlank()) {
            return Optional.of("command is missing or empty");
        }
        int commandBytes = utf8(spec.command());
        if (commandBytes > MAX_COMMAND_BYTES) {
            return Optional.of("command is " + commandBytes + " bytes, more than " + MAX_COMMAND_BYTES);
        }
        if (spec.command().indexOf('\0') >= 0) {
            return Optional.of("command contains a NUL character");
        }
        if (spec.instanceCount() < 1 || spec.instanceCount() > MAX_INSTANCE_COUNT) {
            return Optional.of("instance_count must be a whole number from 1 to " + MAX_INSTANCE_COUNT + ", got "
                    + spec.instanceCount());
        }
        if (!PRIORITIES.contains(spec.priority())) {
            return Optional.of("priority must be low, medium or high, got '" + spec.priority() + "'");
        }
        if (spec.timeoutSeconds() != null
                && (spec.timeoutSeconds() < MIN_TIMEOUT_SECONDS || spec.timeoutSeconds() > MAX_TIMEOUT_SECONDS)) {
            return Optional.of("limits.timeout must be from " + MIN_TIMEOUT_SECONDS + " to " + MAX_TIMEOUT_SECONDS
                    + " seconds, got " + spec.timeoutSeconds());
        }
        Optional<String> names =
                name("display_name", spec.displayName()).or(() -> name("experiment_name", spec.experimentName()));
        if (names.isPresent()) {
            return names;
        }
        return environment(spec.environmentVariables())
                .or(() -> distribution(spec.distribution()))
                .or(() -> data(spec));
    }

    /**
     * Inputs a node can fill (a literal's value, a data path: a local path is uploaded before submission) and a command
     * whose {@code ${{…}}} name declared inputs and outputs, as the YAML parser requires: for producers that write the
     * topic directly.
     */
    private static Optional<String> data(JobSpec spec) {
        for (Map.Entry<String, JobInput> e : spec.inputs().entrySet()) {
            String label = "inputs." + e.getKey();
            JobInput input = e.getValue();
            if (input == null || input.type() == null) {
                return Optional.of(label + " has no type");
            }
            if (input.isLiteral()) {
                if (input.value() == null) {
                    return Optional.of(label + " has no value");
                }
            } else if (!JobInput.DATA_TYPES.contains(input.type())) {
                return Optional.of(label + ".type must be string, integer, number, boolean, uri_file, uri_folder, "
                        + "mlflow_model or custom_model, got '" + printable(input.type()) + "'");
            } else if (input.path() == null || input.path().isBlank()) {
                return Optional.of(label + " has no path: a local path is uploaded before submission (./ebbtide "
                        + "submit does it)");
            }
        }
        return CommandTemplate.problem(
                spec.command(), spec.inputs().keySet(), spec.outputs().keySet());
    }

    private static Optional<String> environment(Map<String, String> env) {
        if (env.size() > MAX_ENV_VARS) {
            return Optional.of("environment_variables has " + env.size() + " variables, more than " + MAX_ENV_VARS);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name.length() > MAX_ENV_NAME_CHARS) {
                return Optional.of("environment variable name '" + name.substring(0, 40) + "…' is " + name.length()
                        + " characters, more than " + MAX_ENV_NAME_CHARS);
            }
            if (!ENV_NAME.matcher(name).matches()) {
                return Optional.of("environment variable name '" + printable(name)
                        + "' is not a POSIX name (letters, digits and '_', not starting with a digit)");
            }
            String value = e.getValue();
            if (value == null) {
                return Optional.of("environment variable " + name + " has no value");
            }
            if (utf8(value) > MAX_ENV_VALUE_BYTES) {
                return Optional.of("environment variable " + name + " is " + utf8(value) + " bytes, more than "
                        + MAX_ENV_VALUE_BYTES);
            }
            if (value.indexOf('\0') >= 0) {
                return Optional.of("environment variable " + name + " contains a NUL character");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> distribution(Distribution d) {
        if (d == null) {
            return Optional.empty();
        }
        if (d.type() == null
                || !Set.of(Distribution.PYTORCH, Distribution.TENSORFLOW, Distribution.MPI)
                        .contains(d.type())) {
            return Optional.of("distribution.type must be pytorch, tensorflow or mpi, got '" + d.type() + "'");
        }
        if (d.processCountPerInstance() != null
                && (d.processCountPerInstance() < 1 || d.processCountPerInstance() > MAX_PROCESSES_PER_NODE)) {
            return Optional.of("distribution.process_count_per_instance must be from 1 to " + MAX_PROCESSES_PER_NODE
                    + ", got " + d.processCountPerInstance());
        }
        if (d.workerCount() != null && d.workerCount() < 0
                || d.parameterServerCount() != null && d.parameterServerCount() < 0) {
            return Optional.of("distribution.worker_count and parameter_server_count must not be negative");
        }
        return Optional.empty();
    }

    private static Optional<String> name(String field, String value) {
        if (value == null) {
            return Optional.empty();
        }
        if (value.length() > MAX_NAME_CHARS) {
            return Optional.of(field + " is " + value.length() + " characters, more than " + MAX_NAME_CHARS);
        }
        if (value.indexOf('\0') >= 0) {
            return Optional.of(field + " contains a NUL character");
        }
        return Optional.empty();
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String printable(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
