package dev.ebbtide.common.job;

/**
 * A job's {@code environment:} as written, never dropped: a node runs the job in it or the job waits or fails with a
 * sentence naming it. Exactly one of {@code image}, {@code name} or {@code buildPath} is set; {@code condaFile}
 * comes with {@code image}.
 *
 * @param image     a container image, e.g. {@code mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:latest}
 * @param name      a named environment: {@code azureml:<name>@latest}, {@code azureml:<name>:<version>} or
 *                  {@code azureml://registries/<registry>/environments/<name>/(versions/<v>|labels/<l>)}
 * @param condaFile the conda file's content (the CLI reads it next to the YAML), or null
 * @param buildPath {@code build: {path: …}}: a Docker build context, as the user wrote it
 */
public record JobEnvironment(String image, String name, String condaFile, String buildPath) {

    /** One short phrase naming the environment in sentences ("image X", "environment azureml:Y@latest"). */
    public String describe() {
        if (image != null) {
            return "image " + image + (condaFile != null ? " with a conda file" : "");
        }
        if (name != null) {
            return "environment " + name;
        }
        return "environment built from " + buildPath;
    }
}
