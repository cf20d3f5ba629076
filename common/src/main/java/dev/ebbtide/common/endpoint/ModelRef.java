package dev.ebbtide.common.endpoint;

/**
 * A deployment's {@code model:} as written; resolving it to a folder on a node comes later (docs/endpoints.md).
 *
 * @param kind    which form it is
 * @param path    {@link Kind#LOCAL}: the folder or file as written, relative to the YAML file's folder;
 *                {@link Kind#JOB_OUTPUT} and {@link Kind#DATASTORE}: the {@code azureml://} URI; else null
 * @param name    {@link Kind#ASSET} and {@link Kind#REGISTRY}: the model's name; for an inline model its optional
 *                {@code name:}; else null
 * @param version {@link Kind#ASSET} and {@link Kind#REGISTRY}: the version, or {@code latest} ({@code @latest} or
 *                {@code labels/latest}); for an inline model its optional {@code version:}; else null
 * @param type    {@code custom_model} (the default) or {@code mlflow_model}
 */
public record ModelRef(Kind kind, String path, String name, String version, String type) {
    public enum Kind {
        /** {@code model: {path: ../../model-1/model/}}: a folder or file on the submitter's machine. */
        LOCAL,
        /** {@code model: azureml:my-model:1} or {@code azureml:my-model@latest}: a model asset of the workspace. */
        ASSET,
        /** {@code model: azureml://registries/<r>/models/<n>/versions/<v>} (or {@code /labels/<l>}). */
        REGISTRY,
        /** {@code model: {path: azureml://jobs/<job>/outputs/<output>}}: what a job wrote. */
        JOB_OUTPUT,
        /** {@code model: {path: azureml://datastores/<ds>/paths/<p>}}: a folder or file already in a datastore. */
        DATASTORE
    }

    /** One short phrase naming the model in sentences. */
    public String describe() {
        return switch (kind) {
            case LOCAL -> "local model " + path;
            case ASSET -> "model asset azureml:" + name + ("latest".equals(version) ? "@latest" : ":" + version);
            case REGISTRY -> "registry model " + name + " version " + version;
            case JOB_OUTPUT, DATASTORE -> "model " + path;
        };
    }
}
