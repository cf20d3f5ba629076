package dev.ebbtide.common.job;

import java.util.Set;

/**
 * One entry of a job's {@code outputs:}: a fresh folder (or file) on each node, uploaded when the rank ends.
 *
 * @param type {@code uri_folder} (default), {@code uri_file}, {@code mlflow_model} or {@code custom_model}
 * @param path where it is uploaded: {@code azureml://datastores/<ds>/paths/<p>}; null = the default
 *             {@code azureml://datastores/workspaceblobstore/paths/azureml/<job>/<name>/}
 * @param mode {@code rw_mount} (Azure ML's default; served as an upload at the end) or {@code upload}
 */
public record JobOutput(String type, String path, String mode) {
    public static final Set<String> TYPES = Set.of("uri_folder", "uri_file", "mlflow_model", "custom_model");
    public static final Set<String> MODES = Set.of("rw_mount", "upload");

    public JobOutput {
        type = type == null ? "uri_folder" : type;
        mode = mode == null ? "rw_mount" : mode;
    }
}
