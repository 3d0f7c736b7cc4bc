package io.jgrok.sweep;

import io.jgrok.UserError;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The batched device engine (N models per kernel launch) on the emulated device, against the same contract as the
 * CPU: N models trained together equal the N runs trained one by one on the emulated device. Skipped, with the
 * reason, until {@link BatchTrainers#forDevice} has a batched device engine to return (issue 7's CUDA part).
 */
class EmulatedBatchTrainerTest extends BatchTrainerContract {
    @BeforeEach
    void needsTheBatchedDeviceEngine() {
        boolean available;
        try {
            BatchTrainers.forDevice("emulated", 2);
            available = true;
        } catch (UserError e) {
            available = false;
        }
        assumeTrue(available, "no batched device engine in this build yet (BatchTrainers.forDevice(\"emulated\") "
                + "refuses); this contract runs once it exists");
    }

    @Override
    BatchTrainer trainer(int width) {
        return BatchTrainers.forDevice("emulated", width);
    }

    @Override
    String device() {
        return "emulated";
    }
}
