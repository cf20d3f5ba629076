package dev.ebbtide.datastore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.common.data.DataUri;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatastoreDefinitionTest {
    static final String KEY = "c2VjcmV0LWFjY291bnQta2V5LWRvLW5vdC1sb2ctbWU=";
    static final String SAS = "sv=2024-11-04&ss=b&srt=co&sp=rl&sig=TOPSECRETsignature%3D";

    @TempDir
    Path tmp;

    @Test
    void theCliV2BlobFormWithAnAccountKey() {
        DatastoreDefinition d = DatastoreDefinition.parse("""
                $schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json
                name: blob_example
                type: azure_blob
                description: Datastore pointing to a blob container.
                account_name: mytestblobstore
                container_name: data-container
                credentials:
                  account_key: %s
                """.formatted(KEY), tmp);
        assertEquals("https://mytestblobstore.blob.core.windows.net", d.serviceUrl());
        assertEquals(
                Map.of(
                        "name", "blob_example",
                        "type", "azure_blob",
                        "description", "Datastore pointing to a blob container.",
                        "account_name", "mytestblobstore",
                        "container_name", "data-container",
                        "endpoint", "core.windows.net",
                        "protocol", "https",
                        "credentials", "account_key"),
                d.describe());
        assertFalse(d.toString().contains(KEY));
        assertFalse(d.open().toString().contains(KEY));
    }

    @Test
    void sasTokenIdentityAndSovereignEndpoints() {
        DatastoreDefinition sas = DatastoreDefinition.parse(
                "name: s\ntype: azure_blob\naccount_name: acct1\ncontainer_name: c01\nendpoint: core.chinacloudapi.cn\n"
                        + "protocol: wasbs\ncredentials:\n  sas_token: \"" + SAS + "\"\n",
                tmp);
        assertEquals("https://acct1.blob.core.chinacloudapi.cn", sas.serviceUrl());
        assertEquals("sas_token", sas.describe().get("credentials"));
        assertFalse(sas.toString().contains("TOPSECRET"));
        assertFalse(sas.open().toString().contains("TOPSECRET"));
        DatastoreDefinition identity =
                DatastoreDefinition.parse("name: i\ntype: azure_blob\naccount_name: acct1\ncontainer_name: c01\n", tmp);
        assertEquals("identity", identity.describe().get("credentials"));
    }

    @Test
    void theLocalExtension() {
        DatastoreDefinition d = DatastoreDefinition.parse("name: scratch\ntype: local\npath: stores/scratch\n", tmp);
        assertEquals(tmp.resolve("stores/scratch"), d.path());
        assertInstanceOf(LocalDatastore.class, d.open());
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "type: azure_blob\\naccount_name: a12\\ncontainer_name: c12 | the datastore: name is missing",
                "name: x\\naccount_name: a12 | datastore 'x': type is missing",
                "name: x\\ntype: azure_file\\naccount_name: a12 | datastore 'x': type azure_file is not supported by Ebbtide; use azure_blob (or local)",
                "name: x\\ntype: azure_data_lake_gen2 | datastore 'x': type azure_data_lake_gen2 is not supported by Ebbtide; use azure_blob (or local)",
                "name: x\\ntype: blob | datastore 'x': type 'blob' is not a datastore type; use azure_blob",
                "name: x\\ntype: azure_blob\\ncontainer_name: c12 | datastore 'x': account_name is missing",
                "name: x\\ntype: azure_blob\\naccount_name: a12 | datastore 'x': container_name is missing",
                "name: x\\ntype: azure_blob\\naccount_name: Bad_Account\\ncontainer_name: c12 | datastore 'x': account_name 'Bad_Account' is not a storage account name (3-24 lowercase letters and digits)",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\nprotocol: ftp | datastore 'x': protocol 'ftp' is not supported; use https or wasbs",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\nfilesystem: f | datastore 'x': field 'filesystem' is not supported for this type",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\ncredentials:\\n  client_secret: SECRETVALUE | datastore 'x': credentials.client_secret is not supported for azure_blob; use account_key, sas_token, or no credentials (identity)",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\ncredentials:\\n  account_key: SECRETVALUE\\n  sas_token: SECRETVALUE | datastore 'x': give one of credentials.account_key and credentials.sas_token",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\ncredentials:\\n  account_key: [SECRETVALUE] | datastore 'x': credentials.account_key must be a non-empty string",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\ncredentials: {} | datastore 'x': credentials is empty; give account_key or sas_token, or leave credentials out (identity)",
                "name: bad-name\\ntype: local\\npath: x | datastore name 'bad-name' is not valid: use letters, digits and '_' only",
                "name: x\\ntype: local | datastore 'x': path is missing",
                "name: x\\ntype: azure_blob\\naccount_name: a12\\ncontainer_name: c12\\ncredentials:\\n  account_key: 'SECRETVALUE | the datastore definition is not valid YAML (line 6, column 14)",
                "- just a list | the datastore definition must be a YAML mapping with name and type",
            })
    void badDefinitionsAreOneSentenceWithoutSecrets(String yaml, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> DatastoreDefinition.parse(yaml.replace("\\n", "\n"), tmp));
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("SECRETVALUE"));
    }

    @Test
    void registryResolvesEveryDataUriForm() throws IOException {
        LocalDatastore workspace = new LocalDatastore("workspaceblobstore", tmp.resolve("ws"));
        Files.createDirectories(tmp.resolve("defs"));
        Files.writeString(tmp.resolve("defs/scratch.yml"), "name: scratch\ntype: local\npath: ../scratch\n");
        Files.writeString(
                tmp.resolve("defs/blob.yaml"),
                "name: team_blob\ntype: azure_blob\naccount_name: teamacct\ncontainer_name: shared\n"
                        + "credentials:\n  account_key: " + KEY + "\n");
        Datastores stores = Datastores.load(workspace, tmp.resolve("defs"));
        assertEquals(List.of("workspaceblobstore", "scratch", "team_blob"), stores.names());
        assertFalse(stores.describe().toString().contains(KEY));
        assertTrue(
                stores.describe().toString().contains("credentials=account_key"),
                stores.describe().toString());

        Datastores.Location scratch = stores.resolve(DataUri.parse("azureml://datastores/scratch/paths/a/b.csv"));
        assertEquals("scratch", scratch.datastore().name());
        assertEquals("a/b.csv", scratch.path());
        assertEquals(tmp.resolve("scratch"), ((LocalDatastore) scratch.datastore()).root());

        Datastores.Location output = stores.resolve(DataUri.parse("azureml://jobs/job-7/outputs/model"));
        assertEquals(workspace, output.datastore());
        assertEquals("azureml/job-7/model/", output.path());

        Datastores.Location team =
                stores.resolve(DataUri.parse("wasbs://shared@teamacct.blob.core.windows.net/x/y.parquet"));
        assertEquals("team_blob", team.datastore().name());
        assertEquals("x/y.parquet", team.path());

        Datastores.Location anonymous =
                stores.resolve(DataUri.parse("https://azuremlexamples.blob.core.windows.net/datasets/iris.csv"));
        assertEquals(
                "https://azuremlexamples.blob.core.windows.net", ((BlobDatastore) anonymous.datastore()).endpoint());
        assertEquals("iris.csv", anonymous.path());

        new DataAssets(workspace, java.time.Clock.systemUTC())
                .create("iris", null, "uri_file", "azureml://datastores/scratch/paths/a/b.csv", null);
        Datastores.Location asset = stores.resolve(DataUri.parse("azureml:iris@latest"));
        assertEquals("scratch", asset.datastore().name());
        assertEquals("a/b.csv", asset.path());

        assertTrue(stores.locate(DataUri.parse("https://example.org/data.csv")).isEmpty());
        IllegalArgumentException web = assertThrows(
                IllegalArgumentException.class, () -> stores.resolve(DataUri.parse("https://example.org/data.csv")));
        assertTrue(web.getMessage().contains("download it over HTTP"), web.getMessage());
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class,
                () -> stores.resolve(DataUri.parse("azureml://datastores/nope/paths/x")));
        assertEquals(
                "there is no datastore named 'nope' (known: workspaceblobstore, scratch, team_blob)",
                unknown.getMessage());
    }

    @Test
    void aBadFileIsNamed() throws IOException {
        Files.createDirectories(tmp.resolve("defs"));
        Files.writeString(tmp.resolve("defs/bad.yml"), "name: x\ntype: azure_file\n");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Datastores.load(new LocalDatastore("workspaceblobstore", tmp), tmp.resolve("defs")));
        assertTrue(e.getMessage().startsWith("bad.yml: datastore 'x': type azure_file"), e.getMessage());
    }
}
