package dev.ebbtide.datastore;

import dev.ebbtide.common.data.DataUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The datastores by name: the default {@code workspaceblobstore} plus named ones from {@link DatastoreDefinition}s
 * (a definition named {@code workspaceblobstore} replaces the default). Resolves a job's data URI to a datastore and
 * a path. Datastores are opened on first use and kept.
 */
public final class Datastores {
    /** A blob path in a datastore; {@code path} is a blob or a folder prefix. */
    public record Location(Datastore datastore, String path) {}

    private final Map<String, DatastoreDefinition> definitions;
    private final Map<String, Datastore> open = new ConcurrentHashMap<>();

    private Datastores(Map<String, DatastoreDefinition> definitions, Datastore defaultStore) {
        this.definitions = definitions;
        if (defaultStore != null && !definitions.containsKey(DataUri.DEFAULT_DATASTORE)) {
            open.put(DataUri.DEFAULT_DATASTORE, defaultStore);
        }
    }

    /**
     * @param defaultStore the {@code workspaceblobstore} (used unless a definition of that name is given); may be
     *     null only when such a definition is given
     * @throws IllegalArgumentException when two definitions share a name, or there is no default
     */
    public static Datastores of(Datastore defaultStore, List<DatastoreDefinition> named) {
        Map<String, DatastoreDefinition> byName = new LinkedHashMap<>();
        for (DatastoreDefinition d : named) {
            if (byName.putIfAbsent(d.name(), d) != null) {
                throw new IllegalArgumentException("datastore '" + d.name() + "' is defined twice");
            }
        }
        if (defaultStore == null && !byName.containsKey(DataUri.DEFAULT_DATASTORE)) {
            throw new IllegalArgumentException("no default datastore: define " + DataUri.DEFAULT_DATASTORE);
        }
        if (defaultStore != null && !defaultStore.name().equals(DataUri.DEFAULT_DATASTORE)) {
            throw new IllegalArgumentException("the default datastore must be named " + DataUri.DEFAULT_DATASTORE
                    + ", not '" + defaultStore.name() + "'");
        }
        return new Datastores(byName, defaultStore);
    }

    /**
     * Reads every {@code *.yml}/{@code *.yaml} file of a folder (none if it does not exist) as one definition.
     *
     * @throws IllegalArgumentException naming the file whose definition is wrong
     */
    public static Datastores load(Datastore defaultStore, Path definitionsDir) throws IOException {
        List<DatastoreDefinition> defs = new ArrayList<>();
        if (Files.isDirectory(definitionsDir)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(definitionsDir)) {
                files = s.filter(p ->
                                p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                        .sorted()
                        .toList();
            }
            for (Path f : files) {
                try {
                    defs.add(DatastoreDefinition.parse(Files.readString(f), definitionsDir));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(f.getFileName() + ": " + e.getMessage());
                }
            }
        }
        return of(defaultStore, defs);
    }

    /** The default datastore. */
    public Datastore defaultStore() {
        return get(DataUri.DEFAULT_DATASTORE);
    }

    /**
     * The datastore of that name.
     *
     * @throws IllegalArgumentException naming the datastore and those that exist
     */
    public Datastore get(String name) {
        Datastore store = open.get(name);
        if (store != null) {
            return store;
        }
        DatastoreDefinition d = definitions.get(name);
        if (d == null) {
            throw new IllegalArgumentException(
                    "there is no datastore named '" + name + "' (known: " + String.join(", ", names()) + ")");
        }
        return open.computeIfAbsent(name, n -> d.open());
    }

    /** The names, the default first. */
    public List<String> names() {
        List<String> names = new ArrayList<>();
        names.add(DataUri.DEFAULT_DATASTORE);
        definitions.keySet().stream()
                .filter(n -> !n.equals(DataUri.DEFAULT_DATASTORE))
                .sorted()
                .forEach(names::add);
        return names;
    }

    /** Every datastore as a GET response shows it: no secret. */
    public List<Map<String, Object>> describe() {
        List<Map<String, Object>> views = new ArrayList<>();
        for (String name : names()) {
            DatastoreDefinition d = definitions.get(name);
            if (d != null) {
                views.add(d.describe());
            } else {
                Map<String, Object> view = new LinkedHashMap<>();
                view.put("name", name);
                Datastore store = open.get(name);
                if (store instanceof LocalDatastore local) {
                    view.put("type", "local");
                    view.put("path", local.root().toString());
                } else if (store instanceof BlobDatastore blob) {
                    view.put("type", "azure_blob");
                    view.put("service_url", blob.endpoint());
                    view.put("container_name", blob.containerName());
                }
                views.add(view);
            }
        }
        return views;
    }

    /**
     * Where a data URI's blobs are: empty for a plain web URL (the caller downloads it over HTTP).
     *
     * <ul>
     *   <li>{@code azureml://datastores/<ds>/paths/<p>}: that datastore, {@code p}
     *   <li>{@code azureml://jobs/<job>/outputs/<name>}: the default output folder
     *       {@code workspaceblobstore:azureml/<job>/<name>/} (an output written to its own {@code path:} must be
     *       looked up on the job first)
     *   <li>{@code azureml:<asset>@latest|:<v>}: the asset's path, resolved through {@link DataAssets}
     *   <li>a blob URL: the named datastore on that account and container if one is defined, else an anonymous
     *       read-only {@link BlobDatastore}
     * </ul>
     */
    public Optional<Location> locate(DataUri uri) throws IOException {
        if (uri instanceof DataUri.Datastore ds) {
            return Optional.of(new Location(get(ds.datastore()), ds.path()));
        }
        if (uri instanceof DataUri.JobOutputRef out) {
            DataUri.Datastore where = DataUri.defaultOutput(out.jobId(), out.output());
            return Optional.of(new Location(get(where.datastore()), where.path()));
        }
        if (uri instanceof DataUri.Asset asset) {
            DataAssets.DataAsset found = new DataAssets(defaultStore(), Clock.systemUTC()).resolve(asset);
            DataUri target = DataUri.parse(found.path());
            if (target instanceof DataUri.Asset) {
                throw new IllegalArgumentException("data asset " + found.uri() + " points at another asset");
            }
            return locate(target);
        }
        if (uri instanceof DataUri.Blob blob) {
            for (DatastoreDefinition d : definitions.values()) {
                if (d.matches(blob.account(), blob.container())) {
                    return Optional.of(new Location(get(d.name()), blob.path()));
                }
            }
            String key = "blob:" + blob.account() + "/" + blob.container();
            Datastore anonymous = open.computeIfAbsent(
                    key,
                    k -> BlobDatastore.connect(
                            blob.account() + "_" + blob.container().replace('-', '_'),
                            BlobDatastore.serviceUrl(blob.account(), null, "https"),
                            blob.account(),
                            blob.container(),
                            new BlobDatastore.Credential.Anonymous()));
            return Optional.of(new Location(anonymous, blob.path()));
        }
        return Optional.empty();
    }

    /**
     * As {@link #locate}, for callers that need a datastore.
     *
     * @throws IllegalArgumentException for a plain web URL
     */
    public Location resolve(DataUri uri) throws IOException {
        return locate(uri)
                .orElseThrow(() -> new IllegalArgumentException(
                        "'" + uri + "' is a web URL, not a datastore path: download it over HTTP"));
    }
}
