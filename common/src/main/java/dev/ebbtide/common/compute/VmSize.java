package dev.ebbtide.common.compute;

/**
 * One Azure VM size of the {@link VmCatalogue}.
 *
 * @param series           the name Azure ML's table of supported VM series uses, e.g. {@code NCsv3}
 * @param family           the quota family as Azure's Usage - List API names it, e.g. {@code standardNCSv3Family}
 * @param memoryGib        memory in GiB
 * @param gpuModel         empty when {@code gpus} is 0
 * @param lowPriority      whether Azure ML offers the size as low priority (Spot)
 * @param approvalRequired the series needs a quota request (approval) before its first use
 */
public record VmSize(
        String name,
        String series,
        String family,
        int vcpus,
        double memoryGib,
        int gpus,
        String gpuModel,
        boolean lowPriority,
        boolean approvalRequired) {}
