package dev.ebbtide.agent;

import dev.ebbtide.agent.env.EnvironmentMap;
import dev.ebbtide.agent.env.ImageStore;
import dev.ebbtide.agent.sandbox.ContainerRuntime;
import dev.ebbtide.common.data.DataUri;
import dev.ebbtide.datastore.BlobDatastore;
import dev.ebbtide.datastore.Datastore;
import dev.ebbtide.datastore.Datastores;
import dev.ebbtide.datastore.LocalDatastore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's settings for a job's data and environment (each default here, once): the default datastore (a local
 * folder, or an Azure Blob container with a credential read from a file, never from the command line), the named
 * datastores' definitions, the imported images and the environment mapping, and where the jobs' folders go when the
 * work dir is out of the job user's reach.
 *
 * @param datastorePath       {@code datastore-path}: a local default datastore's root; null = none or Blob
 * @param datastoreAccount    {@code datastore-account}: a Blob default datastore's storage account
 * @param datastoreContainer  {@code datastore-container}
 * @param datastoreEndpoint   {@code datastore-endpoint}: the blob service URL; null = {@code https://<account>.blob.core.windows.net}
 * @param datastoreCredential {@code datastore-credential}: {@code identity} (default), {@code key-file} or {@code sas-file}
 * @param credentialFile      {@code datastore-credential-file}: the account key or SAS token (for the file kinds)
 * @param datastoreDefs       {@code datastore-defs}: a folder of named datastore definitions (YAML), or null
 * @param imagesDir           {@code images-dir}: imported images, or null (none)
 * @param environments        {@code environments}: the environment mapping file, or null (no rule)
 * @param jobsRoot            {@code jobs-root}: where a root agent puts the jobs' folders when its work dir is not
 *                            reachable by the job user (a folder per work dir below it)
 * @param runtime             {@code runtime}: {@code bwrap} (default) or {@code docker}: image environments neither
 *                            imported nor mapped run in their container (Azure nodes)
 */
public record DataConfig(
        Path datastorePath,
        String datastoreAccount,
        String datastoreContainer,
        String datastoreEndpoint,
        String datastoreCredential,
        Path credentialFile,
        Path datastoreDefs,
        Path imagesDir,
        Path environments,
        Path jobsRoot,
        ContainerRuntime.Kind runtime) {

    public static final String DEFAULT_CREDENTIAL = "identity";
    public static final Path DEFAULT_JOBS_ROOT = Path.of("/var/tmp/ebbtide-jobs");
    public static final Set<String> OPTIONS = Set.of(
            "datastore-path",
            "datastore-account",
            "datastore-container",
            "datastore-endpoint",
            "datastore-credential",
            "datastore-credential-file",
            "datastore-defs",
            "images-dir",
            "environments",
            "jobs-root",
            "runtime");

    /** No datastore, no images, no mapping. */
    public static final DataConfig NONE = new DataConfig(
            null,
            null,
            null,
            null,
            DEFAULT_CREDENTIAL,
            null,
            null,
            null,
            null,
            DEFAULT_JOBS_ROOT,
            ContainerRuntime.Kind.BWRAP);

    static DataConfig from(Map<String, String> v) {
        String credential =
                v.getOrDefault("datastore-credential", DEFAULT_CREDENTIAL).trim();
        if (!List.of("identity", "key-file", "sas-file").contains(credential)) {
            throw new AgentConfig.BadConfig(
                    "datastore-credential must be identity, key-file or sas-file, got '" + credential + "'");
        }
        ContainerRuntime.Kind runtime = ContainerRuntime.Kind.parse(v.getOrDefault("runtime", "bwrap"));
        if (runtime == null) {
            throw new AgentConfig.BadConfig("runtime must be bwrap or docker, got '" + v.get("runtime") + "'");
        }
        DataConfig c = new DataConfig(
                path(v, "datastore-path"),
                blank(v.get("datastore-account")),
                blank(v.get("datastore-container")),
                blank(v.get("datastore-endpoint")),
                credential,
                path(v, "datastore-credential-file"),
                path(v, "datastore-defs"),
                path(v, "images-dir"),
                path(v, "environments"),
                v.containsKey("jobs-root") ? path(v, "jobs-root") : DEFAULT_JOBS_ROOT,
                runtime);
        if (c.datastorePath != null && c.datastoreAccount != null) {
            throw new AgentConfig.BadConfig(
                    "give datastore-path (a local datastore) or datastore-account (Azure Blob)," + " not both");
        }
        if (c.datastoreAccount != null && c.datastoreContainer == null) {
            throw new AgentConfig.BadConfig("datastore-account needs datastore-container");
        }
        if (!credential.equals("identity") && c.credentialFile == null) {
            throw new AgentConfig.BadConfig(
                    "datastore-credential=" + credential + " needs datastore-credential-file (the secret is read from"
                            + " a file, never from the command line)");
        }
        return c;
    }

    /** The node's datastores, or null when none is configured. */
    Datastores openDatastores() throws IOException {
        Datastore store;
        if (datastorePath != null) {
            store = new LocalDatastore(DataUri.DEFAULT_DATASTORE, datastorePath);
        } else if (datastoreAccount != null) {
            BlobDatastore.Credential cred = switch (datastoreCredential) {
                case "key-file" -> new BlobDatastore.Credential.AccountKey(secret());
                case "sas-file" -> new BlobDatastore.Credential.SasToken(secret());
                default -> new BlobDatastore.Credential.Identity();
            };
            String url = datastoreEndpoint != null
                    ? datastoreEndpoint
                    : BlobDatastore.serviceUrl(datastoreAccount, null, "https");
            store = BlobDatastore.connect(DataUri.DEFAULT_DATASTORE, url, datastoreAccount, datastoreContainer, cred);
        } else {
            return null;
        }
        return datastoreDefs == null ? Datastores.of(store, List.of()) : Datastores.load(store, datastoreDefs);
    }

    /** The environment mapping (no rule without a file). */
    EnvironmentMap environmentMap() throws IOException {
        return environments == null
                ? new EnvironmentMap(List.of())
                : EnvironmentMap.parse(Files.readString(environments));
    }

    ImageStore imageStore() {
        return imagesDir == null ? null : new ImageStore(imagesDir);
    }

    private String secret() throws IOException {
        try {
            return Files.readString(credentialFile).trim();
        } catch (IOException e) {
            throw new IOException("cannot read the datastore credential file " + credentialFile + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Names the settings; the credential file's path is shown, never its content. */
    @Override
    public String toString() {
        return (datastorePath != null
                        ? "datastore-path=" + datastorePath
                        : datastoreAccount != null
                                ? "datastore-account=" + datastoreAccount + ", datastore-container="
                                        + datastoreContainer + ", datastore-credential=" + datastoreCredential
                                : "no datastore")
                + ", datastore-defs=" + datastoreDefs + ", images-dir=" + imagesDir + ", environments=" + environments
                + ", runtime=" + runtime.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static Path path(Map<String, String> v, String key) {
        String s = blank(v.get(key));
        return s == null ? null : Path.of(s).toAbsolutePath().normalize();
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
