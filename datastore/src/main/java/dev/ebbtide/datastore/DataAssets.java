package dev.ebbtide.datastore;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.ebbtide.common.data.DataUri;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Versioned data assets ({@code azureml:<name>@latest}, {@code azureml:<name>:<version>}), kept as JSON documents in
 * the default datastore under {@code azureml/assets/data/<name>/<version>.json}. A version is never overwritten
 * (written with {@link Datastore#putIfAbsent}, so two creators cannot both win); versions not given are the next
 * integer after the highest integer version. {@code latest} is the most recently created version.
 */
public final class DataAssets {
    public static final String PREFIX = "azureml/assets/data/";
    public static final Set<String> TYPES = Set.of("uri_file", "uri_folder", "mlflow_model", "custom_model");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
    private static final Pattern INTEGER = Pattern.compile("[1-9][0-9]{0,17}");

    /** One version of a data asset. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DataAsset(
            String name, String version, String type, String path, String description, Instant createdAt) {
        /** {@code azureml:<name>:<version>}. */
        public String uri() {
            return "azureml:" + name + ":" + version;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Datastore store;
    private final Clock clock;

    /** @param store the default datastore ({@code workspaceblobstore}) */
    public DataAssets(Datastore store, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates a version.
     *
     * @param version null = the next integer version
     * @param path a datastore URI ({@code azureml://datastores/<ds>/paths/<p>}), a blob URL or an https URL; local
     *     paths must be uploaded first
     * @throws IllegalArgumentException with one sentence for a bad name, type or path, or a version that exists
     */
    public DataAsset create(String name, String version, String type, String path, String description)
            throws IOException {
        checkName(name);
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("data asset type '" + type
                    + "' is not supported: use uri_file, uri_folder, mlflow_model or custom_model");
        }
        if (path == null || !DataUri.isUri(path)) {
            throw new IllegalArgumentException("data asset path '" + path
                    + "' is not a datastore URI: upload local files first (ebbtide data upload)");
        }
        DataUri parsed = DataUri.parse(path);
        if (parsed instanceof DataUri.Asset) {
            throw new IllegalArgumentException("data asset path '" + path + "' names another asset; give its path");
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            String v = version != null ? checkVersion(version) : nextVersion(name);
            DataAsset asset = new DataAsset(name, v, type, parsed.toString(), description, clock.instant());
            if (store.putIfAbsent(blobPath(name, v), JSON.writeValueAsBytes(asset))) {
                return asset;
            }
            if (version != null) {
                throw new IllegalArgumentException("data asset " + name + " version " + v
                        + " already exists; versions are never overwritten: give another version or none");
            }
        }
        throw new IOException("could not pick a version for data asset " + name + ": others kept creating versions");
    }

    /** Every version of every asset (or of {@code name} when not null), by name then creation. */
    public List<DataAsset> list(String name) throws IOException {
        if (name != null) {
            checkName(name);
        }
        List<DataAsset> assets = new ArrayList<>();
        for (Datastore.Entry e : store.list(name == null ? PREFIX : PREFIX + name + "/")) {
            if (e.path().endsWith(".json")) {
                assets.add(read(e.path()));
            }
        }
        assets.sort(Comparator.comparing(DataAsset::name).thenComparing(DataAssets::order));
        return assets;
    }

    /**
     * One version, or the latest when {@code version} is null.
     *
     * @throws NoSuchFileException with one sentence when there is no such asset or version
     */
    public DataAsset get(String name, String version) throws IOException {
        checkName(name);
        if (version != null) {
            String path = blobPath(name, checkVersion(version));
            if (!store.exists(path)) {
                throw new NoSuchFileException("azureml:" + name + ":" + version, null, "no such data asset version");
            }
            return read(path);
        }
        List<DataAsset> all = list(name);
        if (all.isEmpty()) {
            throw new NoSuchFileException("azureml:" + name + "@latest", null, "no data asset named " + name);
        }
        return all.get(all.size() - 1);
    }

    /** Resolves {@code azureml:<name>@latest|:<version>} to the asset's path. */
    public DataAsset resolve(DataUri.Asset ref) throws IOException {
        return get(ref.name(), ref.version());
    }

    /** {@code azureml/assets/data/<name>/<version>.json}. */
    public static String blobPath(String name, String version) {
        return PREFIX + name + "/" + version + ".json";
    }

    private static Comparator<DataAsset> orderComparator() {
        return Comparator.comparing(DataAsset::createdAt).thenComparing(DataAssets::versionKey);
    }

    private static int order(DataAsset a, DataAsset b) {
        return orderComparator().compare(a, b);
    }

    private static String versionKey(DataAsset a) {
        String v = a.version();
        return INTEGER.matcher(v).matches() ? String.format("%020d", Long.parseLong(v)) : v;
    }

    private String nextVersion(String name) throws IOException {
        long max = 0;
        for (Datastore.Entry e : store.list(PREFIX + name + "/")) {
            String file = e.path().substring((PREFIX + name + "/").length());
            if (file.endsWith(".json")) {
                String v = file.substring(0, file.length() - 5);
                if (INTEGER.matcher(v).matches()) {
                    max = Math.max(max, Long.parseLong(v));
                }
            }
        }
        return Long.toString(max + 1);
    }

    private DataAsset read(String path) throws IOException {
        return JSON.readValue(store.read(path), DataAsset.class);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("data asset name '" + name
                    + "' is not valid: use letters, digits, '_', '.' and '-', starting with a letter, digit or '_'");
        }
    }

    private static String checkVersion(String version) {
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("data asset version '" + version
                    + "' is not valid: use letters, digits, '_', '.' and '-' (e.g. 1, 2, 2026-01)");
        }
        return version;
    }
}
