package dev.ebbtide.common.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Set;

/**
 * One entry of a job's {@code inputs:}: a literal value, or data the node fetches before the ranks start.
 *
 * @param type  a literal type ({@code string}, {@code integer}, {@code number}, {@code boolean}) or a data type
 *              ({@code uri_file}, {@code uri_folder}, {@code mlflow_model}, {@code custom_model})
 * @param value the literal's value as text (literal types only)
 * @param path  where the data is (data types only), in one of the resolved forms:
 *              {@code azureml://datastores/<ds>/paths/<p>}, {@code azureml://jobs/<job>/outputs/<name>},
 *              {@code azureml:<asset>@latest} / {@code azureml:<asset>:<version>}, {@code wasbs://…},
 *              {@code https://<account>.blob.core.windows.net/…} or a plain {@code https://} URL. Local paths never
 *              travel: the CLI uploads them first.
 * @param mode  {@code ro_mount} (Azure ML's default; served as a download) or {@code download}; data types only
 */
public record JobInput(String type, String value, String path, String mode) {
    public static final Set<String> LITERAL_TYPES = Set.of("string", "integer", "number", "boolean");
    public static final Set<String> DATA_TYPES = Set.of("uri_file", "uri_folder", "mlflow_model", "custom_model");
    public static final Set<String> MODES = Set.of("ro_mount", "download");

    /** A literal input ({@code hello_number: 42} is an integer literal). */
    public static JobInput literal(String type, String value) {
        return new JobInput(type, value, null, null);
    }

    /** A data input. */
    public static JobInput data(String type, String path, String mode) {
        return new JobInput(type, null, path, mode == null ? "ro_mount" : mode);
    }

    /** Not part of the JSON form (Jackson would write it as a "literal" field, and records from before would lack it). */
    @JsonIgnore
    public boolean isLiteral() {
        return LITERAL_TYPES.contains(type);
    }
}
