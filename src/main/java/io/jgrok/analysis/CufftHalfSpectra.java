package io.jgrok.analysis;

import io.jgrok.device.Cufft;
import io.jgrok.device.DevicePtr;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Half spectra by cuFFT's batched real-to-complex transform along axis 0 ({@link Cufft#planColumnsR2c}). Plans are
 * kept per column count (a run needs a handful: W_E and W_L batches, the final model's transforms), the least
 * recently used one destroyed beyond {@link #MAX_PLANS}. The stream supplier gives the device's native stream and
 * makes its context current before every cuFFT call.
 */
final class CufftHalfSpectra implements HalfSpectra {
    static final int MAX_PLANS = 8;

    private final Cufft cufft;
    private final LongSupplier stream;
    private final int p;
    private final LinkedHashMap<Integer, Cufft.Plan> plans = new LinkedHashMap<>(16, 0.75f, true);

    CufftHalfSpectra(Cufft cufft, LongSupplier stream, int p) {
        this.cufft = cufft;
        this.stream = stream;
        this.p = p;
    }

    @Override
    public String description() {
        return cufft.description();
    }

    @Override
    public void compute(DevicePtr spectrum, DevicePtr x, int cols) {
        long s = stream.getAsLong();
        Cufft.Plan plan = plans.get(cols);
        if (plan == null) {
            plan = cufft.planColumnsR2c(p, cols);
            plans.put(cols, plan);
            if (plans.size() > MAX_PLANS) {
                Map.Entry<Integer, Cufft.Plan> eldest = plans.entrySet().iterator().next();
                eldest.getValue().close();
                plans.remove(eldest.getKey());
            }
        }
        plan.execute(x, spectrum, s);
    }

    @Override
    public void close() {
        stream.getAsLong();
        for (Cufft.Plan plan : plans.values()) {
            plan.close();
        }
        plans.clear();
    }
}
