package dev.ebbtide.submitter.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the job-submitter keeps code snapshots, uploads, data assets and the named datastores' definitions
 * ({@code ebbtide.datastore.*}, a group of {@link SubmitterConfig}); see docs/configuration.md. The default datastore ({@code workspaceblobstore}) is a
 * local folder unless {@link #blobAccount()} or {@link #blobServiceUrl()} is set.
 */
public interface DatastoreConfig {
    /** The default datastore's folder when it is local (the node agents of the local stack read the same folder). */
    @WithDefault(".ebbtide/datastores/workspaceblobstore")
    Path localPath();

    /** Named datastores: one CLI v2 YAML file each ({@code POST /datastores} writes them, mode 0600). */
    @WithDefault(".ebbtide/datastores/defs")
    Path definitionsDir();

    /** The storage account of a Blob default datastore (unset: the default datastore is {@link #localPath()}). */
    Optional<String> blobAccount();

    /** A full blob service URL (Azurite's, a sovereign cloud's); unset: {@code https://<account>.blob.core.windows.net}. */
    Optional<String> blobServiceUrl();

    /** The container of a Blob default datastore. */
    @WithDefault("workspaceblobstore")
    String blobContainer();

    /** How a Blob default datastore authenticates: identity, account-key, sas-token or connection-string. */
    @WithDefault("identity")
    String blobCredential();

    /** The file holding the key, SAS token or connection string (owner-only; its content is never logged). */
    Optional<Path> blobCredentialFile();

    /** The largest snapshot or upload body ({@code PUT /snapshots/{hex}}, {@code PUT /datastores/{name}/paths/…}). */
    @WithDefault("1G")
    MemorySize maxUploadSize();
}
