package dev.ebbtide.common.endpoint;

import dev.ebbtide.common.job.JobEnvironment;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code managedOnlineDeployment} document as read: every field it may hold is here or was refused with a sentence
 * ({@code scale_settings} may only say {@code type: default}, {@code app_insights_enabled} only {@code false},
 * {@code egress_public_network_access} only {@code enabled}: those add nothing to the record).
 *
 * @param name                 the deployment's name (3–32 letters, digits and '-', starting with a letter)
 * @param endpointName         the endpoint it belongs to
 * @param model                {@code model:}, or null when none is given (the scoring script loads nothing)
 * @param code                 {@code code_configuration.code}: the scoring code's folder as written, relative to the
 *                             YAML file's folder
 * @param scoringScript        {@code code_configuration.scoring_script}: a relative path inside {@code code}
 * @param environment          {@code environment:} (an inline image with its conda file, or a named one)
 * @param instanceType         the VM size, as the catalogue spells it
 * @param instanceCount        how many instances serve it (at least 1)
 * @param requestSettings      {@code request_settings}, defaults filled in
 * @param livenessProbe        {@code liveness_probe}, defaults filled in
 * @param readinessProbe       {@code readiness_probe}, defaults filled in
 * @param environmentVariables given to the scoring process, in the order written
 * @param tags                 name → value, in the order written
 * @param description          free text, or null
 * @param localPaths           paths on the submitter's machine, as written, by what names them: {@code model.path},
 *                             {@code code_configuration.code}, {@code environment.conda_file}; in the order written
 */
public record OnlineDeployment(
        String name,
        String endpointName,
        ModelRef model,
        String code,
        String scoringScript,
        JobEnvironment environment,
        String instanceType,
        int instanceCount,
        RequestSettings requestSettings,
        ProbeSettings livenessProbe,
        ProbeSettings readinessProbe,
        Map<String, String> environmentVariables,
        Map<String, String> tags,
        String description,
        Map<String, String> localPaths) {
    public OnlineDeployment {
        environmentVariables = OnlineEndpoint.frozen(environmentVariables);
        tags = OnlineEndpoint.frozen(tags);
        localPaths = OnlineEndpoint.frozen(localPaths);
    }

    /** {@code environment.conda_file} as written when it is a file path, else empty. */
    public Optional<String> condaFilePath() {
        return Optional.ofNullable(localPaths.get("environment.conda_file"));
    }
}
