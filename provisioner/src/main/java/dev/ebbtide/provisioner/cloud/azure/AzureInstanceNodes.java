package dev.ebbtide.provisioner.cloud.azure;

import com.azure.core.util.Context;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetVMsClient;
import com.azure.resourcemanager.compute.fluent.VirtualMachineScaleSetsClient;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetInner;
import com.azure.resourcemanager.compute.fluent.models.VirtualMachineScaleSetVMInner;
import com.azure.resourcemanager.compute.models.InstanceViewStatus;
import dev.ebbtide.common.azureml.ClusterSpec;
import dev.ebbtide.common.events.ErrorClass;
import dev.ebbtide.provisioner.cloud.CloudException;
import dev.ebbtide.provisioner.instances.InstanceNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * {@code azure-vmss} compute instances: one single-VM scale set per instance, named as a cluster's would be
 * ({@code <scale-set-prefix><instance>}) and made from the same model (image, cloud-init, node identity, subnet) with
 * capacity 1. Start creates it if missing, else {@code POST …/start}; stop is {@code POST …/deallocate} (the VM keeps
 * its disk, compute is no longer billed); restart is {@code POST …/restart} (creating the set if missing); delete deletes the scale set. Whole-set
 * calls (no {@code instanceIds}): the set has one VM. Blocking; every failure is a classified {@link CloudException}.
 */
public final class AzureInstanceNodes implements InstanceNodes {

    private static final Logger LOG = Logger.getLogger(AzureInstanceNodes.class);

    private final AzureVmssProvider provider;
    private final VirtualMachineScaleSetsClient scaleSets;
    private final VirtualMachineScaleSetVMsClient vms;
    private final AzureSettings settings;

    public AzureInstanceNodes(AzureVmssProvider provider) {
        this.provider = provider;
        this.scaleSets = provider.computeManager().serviceClient().getVirtualMachineScaleSets();
        this.vms = provider.computeManager().serviceClient().getVirtualMachineScaleSetVMs();
        this.settings = provider.settings();
    }

    @Override
    public void start(ClusterSpec instance, String node) {
        String name = settings.scaleSetName(instance.name());
        try {
            scaleSets.getByResourceGroup(settings.resourceGroup(), name);
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException("read scale set " + name, e);
            if (ce.errorClass() != ErrorClass.NOT_FOUND) {
                throw ce;
            }
            VirtualMachineScaleSetInner model = provider.scaleSetModel(instance);
            model.sku().withCapacity(1L);
            provider.create(instance, model);
            return;
        }
        String action = "start the VM of scale set " + name;
        LOG.infof("instance %s: %s", instance.name(), action);
        call(
                action,
                () -> AzureVmssNodePool.finish(
                        scaleSets.beginStart(settings.resourceGroup(), name, null, Context.NONE),
                        settings.pollInterval(),
                        action));
    }

    /** Deallocate, not power off: a powered-off VM is still billed for its compute. */
    @Override
    public void stop(ClusterSpec instance, String node) {
        String name = settings.scaleSetName(instance.name());
        String action = "deallocate the VM of scale set " + name;
        LOG.infof("instance %s: %s", instance.name(), action);
        call(
                action,
                () -> AzureVmssNodePool.finish(
                        scaleSets.beginDeallocate(settings.resourceGroup(), name, null, null, Context.NONE),
                        settings.pollInterval(),
                        action));
    }

    @Override
    public void restart(ClusterSpec instance, String node) {
        String name = settings.scaleSetName(instance.name());
        String action = "restart the VM of scale set " + name;
        LOG.infof("instance %s: %s", instance.name(), action);
        boolean found = unlessGone(
                action,
                () -> AzureVmssNodePool.finish(
                        scaleSets.beginRestart(settings.resourceGroup(), name, null, Context.NONE),
                        settings.pollInterval(),
                        action));
        if (!found) {
            start(instance, node); // a failed instance whose scale set was never made: make it now
        }
    }

    /** Deletes the scale set (its VM and disk); one already gone counts as deleted. */
    @Override
    public void delete(ClusterSpec instance, String node) {
        String name = settings.scaleSetName(instance.name());
        String action = "delete scale set " + name;
        LOG.infof("instance %s: %s", instance.name(), action);
        unlessGone(
                action,
                () -> AzureVmssNodePool.finish(
                        scaleSets.beginDelete(settings.resourceGroup(), name, null, Context.NONE),
                        settings.pollInterval(),
                        action));
    }

    /** The instance VM's power as Azure reports it ({@link AzureTranslation#instancePower}); absent when no VM. */
    public AzureTranslation.InstancePower power(ClusterSpec instance) {
        String name = settings.scaleSetName(instance.name());
        List<VirtualMachineScaleSetVMInner> all = call("list instances of " + name, () -> {
            List<VirtualMachineScaleSetVMInner> list = new ArrayList<>();
            vms.list(settings.resourceGroup(), name, null, null, "instanceView", Context.NONE)
                    .forEach(list::add);
            return list;
        });
        if (all.isEmpty()) {
            return AzureTranslation.InstancePower.ABSENT;
        }
        VirtualMachineScaleSetVMInner vm = all.get(0);
        List<String> codes = new ArrayList<>();
        if (vm.instanceView() != null && vm.instanceView().statuses() != null) {
            for (InstanceViewStatus s : vm.instanceView().statuses()) {
                codes.add(s.code());
            }
        }
        return AzureTranslation.instancePower(vm.provisioningState(), codes);
    }

    /** Runs the call; false when Azure answers that the scale set does not exist, any other error thrown as {@link #call}. */
    private static boolean unlessGone(String action, Supplier<?> body) {
        try {
            body.get();
            return true;
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException(action, e);
            if (ce.errorClass() == ErrorClass.NOT_FOUND) {
                return false;
            }
            LOG.warnf("%s [%s]", ce.getMessage(), ce.errorClass());
            throw ce;
        }
    }

    private static <T> T call(String action, Supplier<T> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            CloudException ce = AzureTranslation.toCloudException(action, e);
            LOG.warnf("%s [%s]", ce.getMessage(), ce.errorClass());
            throw ce;
        }
    }
}
