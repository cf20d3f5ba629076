package dev.ebbtide.datastore;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A datastore in one Azure Blob Storage container (or Azurite's), through the Azure SDK for Java with the JDK's HTTP
 * client. The container is created on the first write if it is missing (a SAS token that may not create it is fine
 * when it exists). Errors become {@link IOException}s with one sentence naming the datastore, the blob, the HTTP
 * status and Azure's error code; the SDK's own messages (which quote server replies) are never passed on, and
 * {@link #toString()} shows the endpoint and container only, so no key or token reaches a log.
 */
public final class BlobDatastore implements Datastore {
    /** How the datastore authenticates. {@code toString()} never shows a secret. */
    public sealed interface Credential {
        /** The storage account's access key (base64). */
        record AccountKey(String key) implements Credential {
            public AccountKey {
                Objects.requireNonNull(key, "key");
            }

            @Override
            public String toString() {
                return "account_key";
            }
        }

        /** A shared access signature ({@code sv=…&sig=…}, with or without a leading {@code ?}). */
        record SasToken(String token) implements Credential {
            public SasToken {
                Objects.requireNonNull(token, "token");
            }

            @Override
            public String toString() {
                return "sas_token";
            }
        }

        /** A storage connection string (Azurite's, for example); it names the endpoint too. */
        record ConnectionString(String value) implements Credential {
            public ConnectionString {
                Objects.requireNonNull(value, "value");
            }

            @Override
            public String toString() {
                return "connection_string";
            }
        }

        /** Azure identity ({@code DefaultAzureCredential}): managed identity on Azure nodes, az login elsewhere. */
        record Identity() implements Credential {
            @Override
            public String toString() {
                return "identity";
            }
        }

        /** No credential: public containers, read only. */
        record Anonymous() implements Credential {
            @Override
            public String toString() {
                return "anonymous";
            }
        }
    }

    private static final HttpClient HTTP = new JdkHttpClientBuilder().build();
    private static final RequestRetryOptions RETRIES = new RequestRetryOptions(
            RetryPolicyType.EXPONENTIAL, 4, (Duration) null, Duration.ofMillis(500), Duration.ofSeconds(10), null);

    private final String name;
    private final String endpoint;
    private final BlobContainerClient container;
    private volatile boolean containerReady;

    private BlobDatastore(String name, String endpoint, BlobContainerClient container) {
        this.name = name;
        this.endpoint = endpoint;
        this.container = container;
    }

    /**
     * Connects to a container.
     *
     * @param serviceUrl the blob service, {@code https://<account>.blob.core.windows.net} or Azurite's
     *     {@code http://127.0.0.1:<port>/devstoreaccount1}; ignored (may be null) with a connection string
     * @param account the storage account's name (needed with an account key)
     */
    public static BlobDatastore connect(
            String name, String serviceUrl, String account, String containerName, Credential credential) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(containerName, "containerName");
        BlobServiceClientBuilder builder =
                new BlobServiceClientBuilder().httpClient(HTTP).retryOptions(RETRIES);
        String endpoint = serviceUrl;
        if (credential instanceof Credential.ConnectionString cs) {
            builder.connectionString(cs.value());
        } else if (credential instanceof Credential.AccountKey key) {
            builder.endpoint(serviceUrl).credential(new StorageSharedKeyCredential(account, key.key()));
        } else if (credential instanceof Credential.SasToken sas) {
            builder.endpoint(serviceUrl)
                    .sasToken(sas.token().startsWith("?") ? sas.token().substring(1) : sas.token());
        } else if (credential instanceof Credential.Identity) {
            builder.endpoint(serviceUrl).credential(identity());
        } else {
            builder.endpoint(serviceUrl);
        }
        BlobContainerClient container;
        try {
            var service = builder.buildClient();
            endpoint = service.getAccountUrl();
            container = service.getBlobContainerClient(containerName);
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the SDK's message may quote the connection string: say what is wrong without it
            throw new IllegalArgumentException("datastore '" + name + "': the blob endpoint or the "
                    + credential + " is malformed (expected " + "https://<account>.blob.<suffix> and a valid "
                    + credential + ")");
        }
        return new BlobDatastore(name, endpoint, container);
    }

    /** The standard public endpoint of an account: {@code https://<account>.blob.<suffix>} ({@code core.windows.net}). */
    public static String serviceUrl(String account, String endpointSuffix, String protocol) {
        String scheme = protocol == null || protocol.equals("https") || protocol.equals("wasbs") ? "https" : "http";
        return scheme + "://" + account + ".blob." + (endpointSuffix == null ? "core.windows.net" : endpointSuffix);
    }

    private static TokenCredential identity() {
        return new DefaultAzureCredentialBuilder().httpClient(HTTP).build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The account's blob endpoint (no credential in it). */
    public String endpoint() {
        return endpoint;
    }

    /** The container's name. */
    public String containerName() {
        return container.getBlobContainerName();
    }

    @Override
    public boolean exists(String path) throws IOException {
        BlobClient blob = blob(path);
        return call("check", path, blob::exists);
    }

    @Override
    public void upload(Path file, String path) throws IOException {
        BlobClient blob = blob(path);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file to upload");
        }
        ensureContainer();
        call("write", path, () -> {
            blob.uploadFromFile(file.toString(), true);
            return null;
        });
    }

    @Override
    public void put(String path, byte[] bytes) throws IOException {
        BlobClient blob = blob(path);
        ensureContainer();
        call("write", path, () -> {
            blob.upload(BinaryData.fromBytes(bytes), true);
            return null;
        });
    }

    @Override
    public boolean putIfAbsent(String path, byte[] bytes) throws IOException {
        BlobClient blob = blob(path);
        ensureContainer();
        try {
            call(
                    "write",
                    path,
                    () -> blob.uploadWithResponse(
                            new BlobParallelUploadOptions(BinaryData.fromBytes(bytes))
                                    .setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*")),
                            null,
                            Context.NONE));
            return true;
        } catch (Conflict e) {
            return false;
        }
    }

    @Override
    public InputStream open(String path) throws IOException {
        BlobClient blob = blob(path);
        return call("read", path, blob::openInputStream);
    }

    @Override
    public void download(String path, Path file) throws IOException {
        BlobClient blob = blob(path);
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".download-", ".part");
        try {
            call("read", path, () -> blob.downloadToFile(temp.toString(), true));
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public List<Entry> list(String prefix) throws IOException {
        String p = BlobPaths.checkPrefix(prefix);
        List<Entry> entries = new ArrayList<>();
        try {
            call("list", p, () -> {
                ListBlobsOptions options = new ListBlobsOptions().setPrefix(p.isEmpty() ? null : p);
                for (BlobItem item : container.listBlobs(options, null)) {
                    entries.add(new Entry(item.getName(), item.getProperties().getContentLength()));
                }
                return null;
            });
        } catch (NoSuchFileException e) {
            return List.of(); // no container yet: nothing in it
        }
        entries.sort(Comparator.comparing(Entry::path));
        return entries;
    }

    @Override
    public void delete(String path) throws IOException {
        BlobClient blob = blob(path);
        try {
            call("delete", path, blob::deleteIfExists);
        } catch (NoSuchFileException e) {
            // no container: nothing to delete
        }
    }

    @Override
    public String toString() {
        return "BlobDatastore[" + name + " at " + endpoint + "/" + container.getBlobContainerName() + "]";
    }

    private BlobClient blob(String path) {
        return container.getBlobClient(BlobPaths.check(path));
    }

    private void ensureContainer() throws IOException {
        if (containerReady) {
            return;
        }
        try {
            call("create the container for", container.getBlobContainerName(), container::createIfNotExists);
        } catch (Forbidden e) {
            // a SAS token scoped to the container may not create it: assume it exists, writes will tell
        }
        containerReady = true;
    }

    /** Calls the SDK, translating its exceptions into one-sentence IOExceptions without the SDK's message. */
    private <T> T call(String action, String path, Supplier<T> sdkCall) throws IOException {
        try {
            return sdkCall.get();
        } catch (BlobStorageException e) {
            BlobErrorCode code = e.getErrorCode();
            int status = e.getStatusCode();
            String where = "datastore '" + name + "' could not " + action + " '" + path + "'";
            if (status == 404) {
                throw new NoSuchFileException(
                        path,
                        null,
                        "no such blob in datastore '" + name + "'"
                                + (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)
                                        ? " (container '" + container.getBlobContainerName() + "' does not exist)"
                                        : ""));
            }
            if (status == 409 || status == 412) {
                throw new Conflict(where + ": it already exists (HTTP " + status + ", " + code + ")");
            }
            if (status == 403) {
                throw new Forbidden(where + ": access denied (HTTP 403, " + code
                        + "); check the datastore's credentials and their permissions");
            }
            throw new IOException(where + ": HTTP " + status + " " + code);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException missing) {
                throw missing;
            }
            throw new IOException(
                    "datastore '" + name + "' could not " + action + " '" + path + "' at " + endpoint + ": "
                            + e.getCause().getClass().getSimpleName(),
                    e.getCause());
        } catch (RuntimeException e) {
            if (e.getCause() instanceof BlobStorageException inner) {
                return call(action, path, () -> {
                    throw inner;
                });
            }
            throw new IOException(
                    "datastore '" + name + "' could not " + action + " '" + path + "' at " + endpoint + ": "
                            + rootCause(e).getClass().getSimpleName(),
                    rootCause(e) instanceof IOException io ? io : null);
        }
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    /** The blob exists where it must not (conditional write). */
    static final class Conflict extends IOException {
        Conflict(String message) {
            super(message);
        }
    }

    /** HTTP 403. */
    static final class Forbidden extends IOException {
        Forbidden(String message) {
            super(message);
        }
    }
}
