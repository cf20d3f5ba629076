package dev.ebbtide.devsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ebbtide.common.azureml.AzureMlYaml;
import dev.ebbtide.common.azureml.InvalidSpecException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code ./ebbtide submit} does before posting a job, as {@code az ml job create} does: every path the YAML names
 * on this machine is read relative to the YAML file's folder and replaced by where it went. {@code code:} becomes an
 * uploaded snapshot, a local input's {@code path:} a content-addressed upload, {@code environment.conda_file} the
 * file's content inline; {@code environment.build} is refused (Ebbtide builds no images).
 */
public final class SubmitUploads {
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private final LocalUploads uploads;

    public SubmitUploads(LocalUploads uploads) {
        this.uploads = uploads;
    }

    /**
     * The job's YAML with its local paths replaced; the file's own text when it names none.
     *
     * @throws SubmitterApi.Failure with the sentence to print (a missing folder, a limit, the server's refusal)
     */
    public String prepare(Path file) throws IOException, SubmitterApi.Failure {
        String text = Files.readString(file);
        AzureMlYaml.ParsedJob job;
        try {
            job = AzureMlYaml.parseJob(text);
        } catch (InvalidSpecException e) {
            throw new SubmitterApi.Failure(
                    e.getMessage().lines().findFirst().orElse("invalid job").strip());
        }
        if (job.localPaths().isEmpty()) {
            return text;
        }
        Path base = file.toAbsolutePath().normalize().getParent();
        ObjectNode root = (ObjectNode) YAML.readTree(text);
        if (job.localPaths().containsKey("environment.build.path")) {
            throw new SubmitterApi.Failure("environment.build: building images is not supported by Ebbtide; import "
                    + "a built image with ./ebbtide image import NAME FILE.tar and write environment.image: NAME");
        }
        for (Map.Entry<String, String> e : job.localPaths().entrySet()) {
            String key = e.getKey();
            Path local = base.resolve(stripFileScheme(e.getValue())).normalize();
            if (key.equals("code")) {
                root.put("code", uploads.code("code", local));
            } else if (key.startsWith("inputs.")) {
                String name = key.substring("inputs.".length());
                ObjectNode input = (ObjectNode) root.path("inputs").path(name);
                input.put("path", uploads.contentAddressed(key, local));
            } else if (key.equals("environment.conda_file")) {
                ObjectNode env = (ObjectNode) root.path("environment");
                env.set("conda_file", condaFile(local));
            }
        }
        return YAML.writeValueAsString(root);
    }

    private static JsonNode condaFile(Path local) throws IOException, SubmitterApi.Failure {
        if (!Files.isRegularFile(local)) {
            throw new SubmitterApi.Failure("environment.conda_file: " + local + " does not exist");
        }
        JsonNode conda;
        try {
            conda = YAML.readTree(local.toFile());
        } catch (IOException e) {
            throw new SubmitterApi.Failure("environment.conda_file: " + local + " is not valid YAML");
        }
        if (conda == null || !conda.isObject()) {
            throw new SubmitterApi.Failure("environment.conda_file: " + local + " is not a conda environment (a "
                    + "mapping with name, channels, dependencies)");
        }
        return conda;
    }

    private static String stripFileScheme(String path) {
        return path.startsWith("file:") ? path.substring("file:".length()) : path;
    }
}
