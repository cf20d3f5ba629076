package dev.ebbtide.submitter.service;

import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.BlobDatastore;
import dev.ebbtide.datastore.DataAssets;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.DatastoreDefinition;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.LocalDatastore;
import dev.ebbtide.submitter.config.DatastoreConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The datastores the job-submitter serves: the default {@code workspaceblobstore} (a local folder, or Blob Storage)
 * and the named ones defined in {@link DatastoreConfig#definitionsDir()}, re-read when that folder changes (the node
 * agents read the same files).
 */
@ApplicationScoped
public class DatastoreService {
    private static final Logger LOG = Logger.getLogger(DatastoreService.class);

    @Inject
    DatastoreConfig config;

    @Inject
    Clock clock;

    private Datastore defaultStore;
    private Datastores registry;
    private String fingerprint;

    /** The default datastore. */
    public synchronized Datastore defaultStore() {
        if (defaultStore == null) {
            defaultStore = openDefault();
            LOG.infof("default datastore: %s", defaultStore);
        }
        return defaultStore;
    }

    /** The default and the named datastores, as the definitions folder holds them now. */
    public synchronized Datastores registry() throws IOException {
        String now = fingerprint(config.definitionsDir());
        if (registry == null || !now.equals(fingerprint)) {
            registry = Datastores.load(defaultStore(), config.definitionsDir());
            fingerprint = now;
        }
        return registry;
    }

    /** The datastore of that name; {@link IllegalArgumentException} naming the known ones otherwise. */
    public Datastore get(String name) throws IOException {
        return registry().get(name);
    }

    public DataAssets assets() {
        return new DataAssets(defaultStore(), clock);
    }

    /**
     * Checks a CLI v2 datastore document and writes it to {@code <definitions>/<name>.yml} (owner-only).
     *
     * @throws IllegalArgumentException with one sentence for a bad document
     * @throws FileAlreadyExistsException when a datastore of that name exists
     */
    public synchronized DatastoreDefinition create(String yaml) throws IOException {
        Path dir = config.definitionsDir();
        DatastoreDefinition def = DatastoreDefinition.parse(yaml, dir.toAbsolutePath());
        if (registry().names().contains(def.name())) {
            throw new FileAlreadyExistsException("datastore '" + def.name() + "' already exists");
        }
        Files.createDirectories(dir);
        Path file = dir.resolve(def.name() + ".yml");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, yaml, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        registry = null;
        LOG.infof("datastore %s defined: %s", def.name(), def); // toString has no secret
        return def;
    }

    private Datastore openDefault() {
        if (config.blobAccount().isEmpty() && config.blobServiceUrl().isEmpty()) {
            return new LocalDatastore(
                    DataUri.DEFAULT_DATASTORE, config.localPath().toAbsolutePath());
        }
        String account = config.blobAccount().orElse(null);
        String url =
                config.blobServiceUrl().orElseGet(() -> BlobDatastore.serviceUrl(account, "core.windows.net", "https"));
        return BlobDatastore.connect(DataUri.DEFAULT_DATASTORE, url, account, config.blobContainer(), credential());
    }

    private BlobDatastore.Credential credential() {
        String kind = config.blobCredential();
        if (kind.equals("identity")) {
            return new BlobDatastore.Credential.Identity();
        }
        Path file = config.blobCredentialFile()
                .orElseThrow(() -> new IllegalStateException("ebbtide.datastore.blob-credential is " + kind
                        + ": set ebbtide.datastore.blob-credential-file to the file that holds it"));
        String secret;
        try {
            secret = Files.readString(file).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read ebbtide.datastore.blob-credential-file " + file);
        }
        return switch (kind) {
            case "account-key" -> new BlobDatastore.Credential.AccountKey(secret);
            case "sas-token" -> new BlobDatastore.Credential.SasToken(secret);
            case "connection-string" -> new BlobDatastore.Credential.ConnectionString(secret);
            default ->
                throw new IllegalStateException("ebbtide.datastore.blob-credential must be identity, "
                        + "account-key, sas-token or connection-string, not '" + kind + "'");
        };
    }

    /** Names, sizes and modification times of the definition files: changes when one is added, edited or removed. */
    private static String fingerprint(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                sb.append(f.getFileName())
                        .append(':')
                        .append(Files.size(f))
                        .append(':')
                        .append(Files.getLastModifiedTime(f).toMillis())
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /** Blob-path listing helper for responses. */
    public static List<Datastore.Entry> list(Datastore store, String folder) throws IOException {
        return store.list(folder.isEmpty() || folder.endsWith("/") ? folder : folder + "/");
    }
}
