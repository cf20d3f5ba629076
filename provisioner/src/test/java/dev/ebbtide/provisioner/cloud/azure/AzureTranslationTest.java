package dev.ebbtide.provisioner.cloud.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.http.HttpHeaders;
import com.azure.core.management.polling.PollResult;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The single translation of Azure's vocabulary, table-driven from the codes in ../shared/azure-arm/README.md. */
class AzureTranslationTest {

    @ParameterizedTest(name = "{0} {1} → {4}")
    @CsvSource(delimiter = '|', textBlock = """
            429 | OperationNotAllowed            | The server rejected the request because too many requests have been received for this subscription. | TooManyRequests | THROTTLED
            429 | SubscriptionRequestsThrottled  | Number of 'read' requests for subscription 'x' actor 'y' exceeded. Please try again after '1' seconds |  | THROTTLED
            429 | RetryableErrorDueToAnotherOperation |  |  | THROTTLED
            409 | OperationNotAllowed            | Operation results in exceeding quota limits of Core. Maximum allowed: 4, Current in use: 4, Additional requested: 2. |  | QUOTA_EXCEEDED
            409 | OperationNotAllowed            | Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Additional details - Deployment Model: Resource Manager, Location: centralus, Current Limit: 10, Current Usage: 8, Additional Required: 4, (Minimum) New Limit Required: 12. |  | QUOTA_EXCEEDED
            409 | OperationNotAllowed            | Operation could not be completed as it results in exceeding approved standardDLSv5Family Cores quota. |  | QUOTA_EXCEEDED
            409 | OperationNotAllowed            | Operation could not be completed as it results in exceeding approved LowPriorityCores quota. |  | QUOTA_EXCEEDED
            400 | InvalidTemplateDeployment      | The template deployment failed. | QuotaExceeded | QUOTA_EXCEEDED
            0   | ResourceOperationFailure       | The resource operation completed with terminal provisioning state 'Failed'. | AllocationFailed | CAPACITY_UNAVAILABLE
            0   | ZonalAllocationFailed          | Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. |  | CAPACITY_UNAVAILABLE
            0   | OverconstrainedAllocationRequest | Allocation failed. VM(s) with the following constraints cannot be allocated |  | CAPACITY_UNAVAILABLE
            0   | ResourceOperationFailure       | The resource operation completed with terminal provisioning state 'Failed'. | OverconstrainedZonalAllocationRequest | CAPACITY_UNAVAILABLE
            409 | SkuNotAvailable                | The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: Standard_B2s' is currently not available in location 'eastus'. |  | CAPACITY_UNAVAILABLE
            412 | PreconditionFailed             | Etag provided in if-match header "2" does not match etag "3" of resource. |  | CONFLICT
            409 | Conflict                       | You're requesting an operation that isn't allowed in the resource's current state. |  | CONFLICT
            409 | AnotherOperationInProgress     | Wait for concurrent operation to complete. |  | CONFLICT
            0   | OperationPreempted             | The operation has been preempted by a more recent operation. |  | PREEMPTED
            404 | ResourceNotFound               | The Resource 'Microsoft.Compute/virtualMachineScaleSets/x' under resource group 'rg' was not found. |  | NOT_FOUND
            404 | ResourceGroupNotFound          | Resource group 'rg' could not be found. |  | NOT_FOUND
            500 | InternalServerError            | An internal server error occurred. |  | TRANSIENT
            503 | ServiceUnavailable             | The service is temporarily unavailable. |  | TRANSIENT
            0   | InternalExecutionError         | An internal execution error occurred. |  | TRANSIENT
            400 | InvalidParameter               | Required parameter 'adminPassword' is missing (null). |  | UNKNOWN
            403 | AuthorizationFailed            | The client does not have authorization to perform action 'Microsoft.Compute/virtualMachineScaleSets/write'. |  | UNKNOWN
            400 | MaxPriceValueInvalid           | Invalid max price value. |  | UNKNOWN
            """)
    void classifiesAzureErrors(int status, String code, String message, String detailCode, ErrorClass expected) {
        List<String> details = detailCode == null ? List.of() : List.of(detailCode);
        assertEquals(expected, AzureTranslation.classify(status, code, message, details, List.of()));
    }

    @Test
    void networkFailuresAndTimeoutsAreTransient() {
        assertEquals(
                ErrorClass.TRANSIENT,
                AzureTranslation.toCloudException(
                                "x", new UncheckedIOException(new IOException("Connection reset by peer")))
                        .errorClass());
        assertEquals(
                ErrorClass.TRANSIENT,
                AzureTranslation.toCloudException(
                                "x",
                                new RuntimeException(new TimeoutException(
                                        "Did not observe any item or terminal signal within 60000ms")))
                        .errorClass());
        assertEquals(
                ErrorClass.UNKNOWN,
                AzureTranslation.toCloudException("x", new IllegalStateException("boom"))
                        .errorClass());
    }

    @Test
    void asyncFailureReadsTheStatusDocumentsError() {
        String body = FakeArmServer.resource("errors/async-operation-failed-overconstrained-zonal.json");
        var e = AzureTranslation.asyncFailure(
                "scale up",
                "FAILED",
                new PollResult.Error("Long running operation failed.", 200, new HttpHeaders(), body));
        assertEquals(ErrorClass.CAPACITY_UNAVAILABLE, e.errorClass());
        var canceled = AzureTranslation.asyncFailure(
                "scale up",
                "USER_CANCELLED",
                new PollResult.Error(
                        "Long running operation is cancelled.",
                        200,
                        new HttpHeaders(),
                        FakeArmServer.resource("errors/async-operation-canceled-preempted.json")));
        assertEquals(ErrorClass.PREEMPTED, canceled.errorClass());
        assertEquals(
                ErrorClass.PREEMPTED,
                AzureTranslation.asyncFailure("scale up", "USER_CANCELLED", null)
                        .errorClass());
        assertEquals(
                ErrorClass.UNKNOWN,
                AzureTranslation.asyncFailure("scale up", "FAILED", null).errorClass());
    }

    @ParameterizedTest(name = "{0} {1} spot={2} ours={3} → {4} {5}")
    @CsvSource(delimiter = '|', textBlock = """
            Creating  | ProvisioningState/creating                                 | false | false | CREATING  | NONE
            Succeeded | ProvisioningState/succeeded,PowerState/starting            | false | false | CREATING  | NONE
            Succeeded | ProvisioningState/succeeded,PowerState/running             | false | false | READY     | NONE
            Succeeded |                                                            | false | false | READY     | NONE
            Updating  | ProvisioningState/updating,PowerState/running              | false | false | READY     | NONE
            Deleting  | ProvisioningState/deleting,PowerState/running              | false | true  | DELETING  | NONE
            Deleting  | ProvisioningState/deleting,PowerState/running              | true  | true  | DELETING  | NONE
            Deleting  | ProvisioningState/deleting,PowerState/running              | true  | false | PREEMPTED | NONE
            Succeeded | ProvisioningState/succeeded,PowerState/deallocated         | true  | false | PREEMPTED | NONE
            Succeeded | ProvisioningState/succeeded,PowerState/deallocated         | false | false | FAILED    | UNKNOWN
            Failed    | ProvisioningState/failed/AllocationFailed                  | false | false | FAILED    | CAPACITY_UNAVAILABLE
            Failed    | ProvisioningState/failed/ZonalAllocationFailed             | true  | false | FAILED    | CAPACITY_UNAVAILABLE
            Failed    | ProvisioningState/failed/NetworkingInternalOperationError  | false | false | FAILED    | TRANSIENT
            Failed    | ProvisioningState/failed/OSProvisioningTimedOut            | false | false | FAILED    | UNKNOWN
            Failed    |                                                            | false | false | FAILED    | UNKNOWN
            """)
    void translatesVmStates(
            String provisioningState,
            String codes,
            boolean spot,
            boolean ours,
            CloudNodeStatus status,
            ErrorClass error) {
        List<String> statusCodes = codes == null ? List.of() : List.of(codes.split(","));
        AzureTranslation.NodeState s = AzureTranslation.nodeState(provisioningState, statusCodes, spot, ours);
        assertEquals(status, s.status());
        assertEquals(error, s.error());
    }
}
