package dev.ebbtide.common.events;

/**
 * How a job's processes form one distributed run: the Azure ML command job's {@code distribution} section.
 *
 * @param type                    {@code pytorch}, {@code tensorflow} or {@code mpi}
 * @param processCountPerInstance processes per node (pytorch, mpi; default 1)
 * @param workerCount             tensorflow workers (default: every node not a parameter server)
 * @param parameterServerCount    tensorflow parameter servers (default 0)
 */
public record Distribution(
        String type, Integer processCountPerInstance, Integer workerCount, Integer parameterServerCount) {

    public static final String PYTORCH = "pytorch";
    public static final String TENSORFLOW = "tensorflow";
    public static final String MPI = "mpi";

    /** Processes each node runs (1 unless {@code process_count_per_instance} says otherwise). */
    public int processesPerNode() {
        return processCountPerInstance == null || processCountPerInstance < 1 ? 1 : processCountPerInstance;
    }
}
