package dev.ebbtide.datastore;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A named datastore as the Azure ML CLI v2 writes it ({@code az ml datastore create -f blob.yml}), parsed and checked:
 *
 * <pre>
 * $schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
 * name: my_blob
 * type: azure_blob
 * account_name: mystorageaccount
 * container_name: data
 * endpoint: core.windows.net      # optional (sovereign clouds)
 * protocol: https                 # optional: https or wasbs (http/wasb for emulators)
 * credentials:                    # optional: none = identity (managed identity on nodes, az login elsewhere)
 *   account_key: …                # or sas_token: …
 * </pre>
 *
 * <p>Ebbtide extensions: {@code service_url:} (a full blob service URL, e.g. Azurite's
 * {@code http://127.0.0.1:10000/devstoreaccount1}), and {@code type: local} with {@code path:} (a folder on this
 * machine). Other types ({@code azure_file}, {@code azure_data_lake_gen1}, {@code azure_data_lake_gen2},
 * {@code one_lake}) and unknown fields are refused with one sentence naming them. Secrets never appear in
 * {@link #toString()}, {@link #describe()} or any error message.
 */
public final class DatastoreDefinition {
    public enum Type {
        AZURE_BLOB,
        LOCAL
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,255}");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("\\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}");
    private static final Set<String> COMMON = Set.of("$schema", "name", "type", "description", "tags");
    private static final Set<String> BLOB_FIELDS =
            Set.of("account_name", "container_name", "endpoint", "protocol", "credentials", "service_url");
    private static final Set<String> UNSUPPORTED_TYPES =
            Set.of("azure_file", "azure_data_lake_gen1", "azure_data_lake_gen2", "one_lake");

    private final String name;
    private final Type type;
    private final String description;
    private final String accountName;
    private final String containerName;
    private final String endpoint;
    private final String protocol;
    private final String serviceUrl;
    private final BlobDatastore.Credential credential;
    private final Path path;

    private DatastoreDefinition(
            String name,
            Type type,
            String description,
            String accountName,
            String containerName,
            String endpoint,
            String protocol,
            String serviceUrl,
            BlobDatastore.Credential credential,
            Path path) {
        this.name = name;
        this.type = type;
        this.description = description;
        this.accountName = accountName;
        this.containerName = containerName;
        this.endpoint = endpoint;
        this.protocol = protocol;
        this.serviceUrl = serviceUrl;
        this.credential = credential;
        this.path = path;
    }

    /** A local datastore definition. */
    public static DatastoreDefinition local(String name, Path path) {
        return new DatastoreDefinition(
                checkName(name), Type.LOCAL, null, null, null, null, null, null, null, path.toAbsolutePath());
    }

    /** An Azure Blob definition (for code that configures one without YAML). */
    public static DatastoreDefinition azureBlob(
            String name, String account, String container, String serviceUrl, BlobDatastore.Credential credential) {
        return new DatastoreDefinition(
                checkName(name),
                Type.AZURE_BLOB,
                null,
                account,
                container,
                "core.windows.net",
                "https",
                serviceUrl,
                credential,
                null);
    }

    /**
     * Parses one YAML document.
     *
     * @param baseDir where a relative {@code path:} of a local datastore starts (the YAML file's folder)
     * @throws IllegalArgumentException with one sentence naming the field that is wrong or missing
     */
    public static DatastoreDefinition parse(String yaml, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException("the datastore definition is not valid YAML"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the datastore definition must be a YAML mapping with name and type");
        }
        String name = checkName(text(root, "name", "the datastore", true));
        String who = "datastore '" + name + "'";
        String type = text(root, "type", who, true);
        String description = text(root, "description", who, false);
        if (UNSUPPORTED_TYPES.contains(type)) {
            throw new IllegalArgumentException(
                    who + ": type " + type + " is not supported by Ebbtide; use azure_blob (or local)");
        }
        if (type.equals("local")) {
            onlyFields(root, who, Set.of("path"));
            String p = text(root, "path", who, true);
            Path dir = baseDir == null ? Path.of(p) : baseDir.resolve(p);
            return new DatastoreDefinition(
                    name,
                    Type.LOCAL,
                    description,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    dir.toAbsolutePath().normalize());
        }
        if (!type.equals("azure_blob")) {
            throw new IllegalArgumentException(who + ": type '" + type + "' is not a datastore type; use azure_blob");
        }
        onlyFields(root, who, BLOB_FIELDS);
        String account = text(root, "account_name", who, true);
        if (!ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException(who + ": account_name '" + account
                    + "' is not a storage account name (3-24 lowercase letters and digits)");
        }
        String container = text(root, "container_name", who, true);
        if (!CONTAINER.matcher(container).matches()) {
            throw new IllegalArgumentException(who + ": container_name '" + container
                    + "' is not a container name (3-63 lowercase letters, digits and single hyphens)");
        }
        String endpoint = text(root, "endpoint", who, false);
        if (endpoint == null) {
            endpoint = "core.windows.net";
        }
        String protocol = text(root, "protocol", who, false);
        if (protocol == null) {
            protocol = "https";
        }
        if (!Set.of("https", "wasbs", "http", "wasb").contains(protocol)) {
            throw new IllegalArgumentException(
                    who + ": protocol '" + protocol + "' is not supported; use https or wasbs");
        }
        String serviceUrl = text(root, "service_url", who, false);
        if (serviceUrl != null && !serviceUrl.matches("https?://[^\\s?#]+")) {
            throw new IllegalArgumentException(who + ": service_url must be an http(s) URL without a query");
        }
        return new DatastoreDefinition(
                name,
                Type.AZURE_BLOB,
                description,
                account,
                container,
                endpoint,
                protocol,
                serviceUrl,
                credential(root.get("credentials"), who),
                null);
    }

    private static BlobDatastore.Credential credential(JsonNode creds, String who) {
        if (creds == null || creds.isNull()) {
            return new BlobDatastore.Credential.Identity();
        }
        if (!creds.isObject()) {
            throw new IllegalArgumentException(who + ": credentials must be a mapping with account_key or sas_token");
        }
        BlobDatastore.Credential found = null;
        for (Iterator<String> it = creds.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            JsonNode value = creds.get(field);
            if (!field.equals("account_key") && !field.equals("sas_token")) {
                throw new IllegalArgumentException(who + ": credentials." + field
                        + " is not supported for azure_blob; use account_key, sas_token, or no credentials (identity)");
            }
            if (found != null) {
                throw new IllegalArgumentException(
                        who + ": give one of credentials.account_key and credentials.sas_token");
            }
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                throw new IllegalArgumentException(who + ": credentials." + field + " must be a non-empty string");
            }
            found = field.equals("account_key")
                    ? new BlobDatastore.Credential.AccountKey(value.asText().strip())
                    : new BlobDatastore.Credential.SasToken(value.asText().strip());
        }
        if (found == null) {
            throw new IllegalArgumentException(
                    who + ": credentials is empty; give account_key or sas_token, or leave credentials out (identity)");
        }
        return found;
    }

    private static void onlyFields(JsonNode root, String who, Set<String> allowed) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!COMMON.contains(field) && !allowed.contains(field)) {
                throw new IllegalArgumentException(who + ": field '" + field + "' is not supported for this type");
            }
        }
    }

    private static String text(JsonNode root, String field, String who, boolean required) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new IllegalArgumentException(who + ": " + field + " is missing");
            }
            return null;
        }
        if (!node.isValueNode() || node.isBinary()) {
            throw new IllegalArgumentException(who + ": " + field + " must be a string");
        }
        String value = node.asText().strip();
        if (required && value.isEmpty()) {
            throw new IllegalArgumentException(who + ": " + field + " is empty");
        }
        return value;
    }

    private static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "datastore name '" + name + "' is not valid: use letters, digits and '_' only");
        }
        return name;
    }

    public String name() {
        return name;
    }

    public Type type() {
        return type;
    }

    public String accountName() {
        return accountName;
    }

    public String containerName() {
        return containerName;
    }

    /** The blob service URL: {@code service_url}, else {@code https://<account>.blob.<endpoint>}. */
    public String serviceUrl() {
        return serviceUrl != null ? serviceUrl : BlobDatastore.serviceUrl(accountName, endpoint, protocol);
    }

    /** The folder of a local datastore. */
    public Path path() {
        return path;
    }

    /** True if this is a Blob datastore on that account and container (public endpoint). */
    public boolean matches(String account, String container) {
        return type == Type.AZURE_BLOB
                && Objects.equals(accountName, account)
                && Objects.equals(containerName, container);
    }

    /** Connects the datastore this defines (no network call yet). */
    public Datastore open() {
        return switch (type) {
            case LOCAL -> new LocalDatastore(name, path);
            case AZURE_BLOB -> BlobDatastore.connect(name, serviceUrl(), accountName, containerName, credential);
        };
    }

    /** What a GET response or a log may show: every field but secrets ({@code credentials} is its kind only). */
    public Map<String, Object> describe() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("name", name);
        view.put("type", type == Type.LOCAL ? "local" : "azure_blob");
        if (description != null) {
            view.put("description", description);
        }
        if (type == Type.LOCAL) {
            view.put("path", path.toString());
        } else {
            view.put("account_name", accountName);
            view.put("container_name", containerName);
            view.put("endpoint", endpoint);
            view.put("protocol", protocol);
            if (serviceUrl != null) {
                view.put("service_url", serviceUrl);
            }
            view.put("credentials", credential.toString());
        }
        return view;
    }

    @Override
    public String toString() {
        return "DatastoreDefinition" + describe();
    }
}
