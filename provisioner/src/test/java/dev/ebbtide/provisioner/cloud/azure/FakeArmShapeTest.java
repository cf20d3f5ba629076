package dev.ebbtide.provisioner.cloud.azure;

import static dev.ebbtide.provisioner.cloud.azure.FakeArmServer.resourceJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Keeps the fake honest: what it serves on the wire has the shape of Azure's official examples
 * (azure-rest-api-specs, 2025-04-01) and recorded traffic (azure-sdk-for-java), copied under
 * src/test/resources/azure-arm/. "Shape" = every field the fake sends exists in the example with the same JSON type.
 */
class FakeArmShapeTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String BASE = "subscriptions/" + FakeArmServer.SUBSCRIPTION + "/resourceGroups/"
            + FakeArmServer.RESOURCE_GROUP + "/providers/Microsoft.Compute/virtualMachineScaleSets/ebbtide-gpu";
    static final String Q = "?api-version=" + FakeArmServer.API_VERSION;

    final FakeArmServer fake = new FakeArmServer();
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        fake.close();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.endpoint() + path))
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** path → JSON node type, arrays as {@code []}, map-like keys (tags, identities) cut off. */
    static Map<String, String> shape(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        shape(node, "", out);
        return out;
    }

    private static void shape(JsonNode node, String path, Map<String, String> out) {
        if (node.isObject()) {
            if (path.endsWith(".tags") || path.endsWith("userAssignedIdentities")) {
                out.put(path, "OBJECT");
                return;
            }
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                shape(e.getValue(), path + "." + e.getKey(), out);
            }
        } else if (node.isArray()) {
            out.put(path, "ARRAY");
            for (JsonNode item : node) {
                shape(item, path + "[]", out);
            }
        } else {
            out.put(path, node.isNumber() ? "NUMBER" : node.getNodeType().name());
        }
    }

    static void assertShapeWithin(JsonNode fakeBody, JsonNode example, Set<String> ignored) {
        Map<String, String> ours = shape(fakeBody);
        Map<String, String> theirs = shape(example);
        List<String> problems = new ArrayList<>();
        ours.forEach((path, type) -> {
            if (ignored.stream().anyMatch(path::startsWith)) {
                return;
            }
            String t = theirs.get(path);
            if (t == null) {
                problems.add(path + " not in the example");
            } else if (!t.equals(type) && !t.equals("NULL")) {
                problems.add(path + " is " + type + " but " + t + " in the example");
            }
        });
        assertEquals(List.of(), problems, "fake body " + fakeBody.toPrettyString());
    }

    @Test
    void theShapeCheckCatchesAnInventedFieldOrAWrongType() throws Exception {
        JsonNode example =
                resourceJson("examples/VirtualMachineScaleSet_Get.json").at("/responses/200/body");
        org.junit.jupiter.api.Assertions.assertThrows(
                org.opentest4j.AssertionFailedError.class,
                () -> assertShapeWithin(JSON.readTree("{\"sku\":{\"capacity\":\"3\"}}"), example, Set.of()));
        org.junit.jupiter.api.Assertions.assertThrows(
                org.opentest4j.AssertionFailedError.class,
                () -> assertShapeWithin(JSON.readTree("{\"properties\":{\"capacity\":3}}"), example, Set.of()));
    }

    @Test
    void scaleSetGetHasTheExampleShape() throws Exception {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        HttpResponse<String> r = send("GET", BASE + Q, null);
        assertEquals(200, r.statusCode());
        JsonNode example =
                resourceJson("examples/VirtualMachineScaleSet_Get.json").at("/responses/200/body");
        JsonNode body = JSON.readTree(r.body());
        assertShapeWithin(body, example, Set.of());
        assertEquals("\"1\"", body.get("etag").asText(), "ETag is a quoted integer, as in the example");
    }

    @Test
    void patchAnswers200WithAzureAsyncOperationAndTheResource() throws Exception {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        HttpResponse<String> r = send("PATCH", BASE + Q, "{\"sku\":{\"capacity\":2}}");
        assertEquals(200, r.statusCode(), "the swagger declares 200 only; a 202 makes the generated client throw");
        assertTrue(r.headers()
                .firstValue("Azure-AsyncOperation")
                .orElseThrow()
                .contains("/providers/Microsoft.Compute/locations/westeurope/operations/"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Updating", body.at("/properties/provisioningState").asText());
        assertShapeWithin(
                body, resourceJson("examples/VirtualMachineScaleSet_Get.json").at("/responses/200/body"), Set.of());
        assertShapeWithin(
                JSON.readTree("{\"location\":\"westus\"}"),
                resourceJson("examples/VirtualMachineScaleSet_Update_MinimumSet_Gen.json")
                        .at("/responses/200/body"),
                Set.of());
    }

    @Test
    void deleteInstancesAnswers202WithAsyncOperationAndMonitorLocationAsRecorded() throws Exception {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        fake.addRunningVm("ebbtide-gpu");
        HttpResponse<String> r = send("POST", BASE + "/delete" + Q, "{\"instanceIds\":[\"0\"]}");

        JsonNode example = resourceJson("examples/VirtualMachineScaleSet_DeleteInstances_MinimumSet_Gen.json");
        assertTrue(example.at("/responses/202/headers/location").isTextual());
        JsonNode recorded = resourceJson(
                        "session-records/VirtualMachineScaleSetOperationsTests.canDeleteVMSSInstance.excerpt.json")
                .at("/networkCallRecords/0/Response");
        assertEquals(recorded.get("StatusCode").asText(), Integer.toString(r.statusCode()));
        assertEquals("", r.body());
        String async = r.headers().firstValue("Azure-AsyncOperation").orElseThrow();
        String location = r.headers().firstValue("Location").orElseThrow();
        assertEquals(
                async.replace("&api-version=", "&monitor=true&api-version="),
                location,
                "as recorded: Location is the Azure-AsyncOperation URL plus monitor=true");
        assertEquals(
                recorded.get("Location").asText().replace("&monitor=true", ""),
                recorded.get("Azure-AsyncOperation").asText());

        // the poll bodies have the recorded shape: InProgress, then Succeeded with endTime
        JsonNode records = resourceJson(
                        "session-records/VirtualMachineScaleSetOperationsTests.canDeleteVMSSInstance.excerpt.json")
                .get("networkCallRecords");
        JsonNode recordedInProgress =
                JSON.readTree(records.get(1).at("/Response/Body").asText());
        JsonNode recordedSucceeded =
                JSON.readTree(records.get(3).at("/Response/Body").asText());
        String pollPath = URI.create(async).getRawPath().substring(1) + "?"
                + URI.create(async).getRawQuery();
        JsonNode first = JSON.readTree(send("GET", pollPath, null).body());
        JsonNode second = JSON.readTree(send("GET", pollPath, null).body());
        assertEquals("InProgress", first.get("status").asText());
        assertEquals("Succeeded", second.get("status").asText());
        assertEquals(shape(recordedInProgress).keySet(), shape(first).keySet());
        assertEquals(shape(recordedSucceeded).keySet(), shape(second).keySet());
        HttpResponse<String> monitor = send(
                "GET",
                URI.create(location).getRawPath().substring(1) + "?"
                        + URI.create(location).getRawQuery(),
                null);
        assertEquals(200, monitor.statusCode());
        assertEquals("", monitor.body(), "as recorded: the monitor GET after completion is 200 with no body");
    }

    @Test
    void vmListItemsHaveTheExampleShapeAndTheirInstanceViewToo() throws Exception {
        fake.givenScaleSet("ebbtide-gpu", "Standard_NC6s_v3", false);
        fake.addRunningVm("ebbtide-gpu");
        JsonNode list = JSON.readTree(send("GET", BASE + "/virtualMachines" + Q + "&$expand=instanceView", null)
                .body());
        ObjectNode item = (ObjectNode) list.get("value").get(0);
        JsonNode instanceView = ((ObjectNode) item.get("properties")).remove("instanceView");
        assertNotNull(instanceView);
        assertShapeWithin(
                item,
                resourceJson("examples/VirtualMachineScaleSetVM_List_WithResiliencyView.json")
                        .at("/responses/200/body/value/0"),
                Set.of());
        assertShapeWithin(
                instanceView,
                resourceJson("examples/VirtualMachineScaleSetVM_Get_InstanceViewAutoPlacedOnDedicatedHostGroup.json")
                        .at("/responses/200/body"),
                Set.of());
        assertEquals("ebbtide-gpu_0", item.get("name").asText(), "VM names are <scale set>_<instance id> as recorded");
    }

    @Test
    void errorBodiesAreAzuresCloudErrorShape() throws Exception {
        HttpResponse<String> r = send("GET", BASE + Q, null);
        assertEquals(404, r.statusCode());
        JsonNode example = resourceJson("errors/precondition-failed-412.json");
        assertEquals(shape(example).keySet(), shape(JSON.readTree(r.body())).keySet());
        HttpResponse<String> wrongVersion = send("GET", BASE + "?api-version=2021-03-01", null);
        assertEquals(400, wrongVersion.statusCode());
    }

    @Test
    void ourCreateRequestUsesTheSpotExamplesFieldTypes() throws Exception {
        AzureSettings settings = FakeArmClients.settings(fake);
        AzureVmssProvider provider = new AzureVmssProvider(FakeArmClients.computeManager(fake, settings), settings);
        provider.nodePool(
                new dev.ebbtide.common.azureml.ClusterSpec("gpu", "Standard_NC6s_v3", "low_priority", 0, 4, 120, null));
        JsonNode put = JSON.readTree(fake.requests().get(1).body());
        JsonNode example = resourceJson("examples/VirtualMachineScaleSet_Create_WithSpotRestorePolicy.json")
                .at("/parameters/parameters");
        // Linux-only and Ebbtide-only fields are not in this (Windows) example
        assertShapeWithin(
                put,
                example,
                Set.of(
                        ".properties.virtualMachineProfile.osProfile.linuxConfiguration",
                        ".properties.orchestrationMode",
                        ".properties.singlePlacementGroup",
                        ".tags",
                        ".properties.virtualMachineProfile.networkProfile.networkInterfaceConfigurations[].properties"
                                + ".ipConfigurations[].properties.primary"));
        assertEquals(
                example.at("/properties/virtualMachineProfile/priority"),
                put.at("/properties/virtualMachineProfile/priority"));
        assertEquals(
                example.at("/properties/virtualMachineProfile/billingProfile/maxPrice")
                        .asDouble(),
                put.at("/properties/virtualMachineProfile/billingProfile/maxPrice")
                        .asDouble());
    }
}
