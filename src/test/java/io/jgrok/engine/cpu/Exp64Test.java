package io.jgrok.engine.cpu;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The deterministic exp against a 40-digit reference, and the SIMD version against the scalar one bit for bit. */
class Exp64Test {

    /** exp(x) to 40 significant digits by the Taylor series of exp(x / 2^s), squared s times. */
    private static BigDecimal referenceExp(double x) {
        MathContext mc = new MathContext(60);
        int s = 12;
        BigDecimal y = new BigDecimal(x).divide(BigDecimal.valueOf(1L << s), mc);
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        for (int n = 1; n < 40; n++) {
            term = term.multiply(y, mc).divide(BigDecimal.valueOf(n), mc);
            sum = sum.add(term, mc);
        }
        for (int i = 0; i < s; i++) {
            sum = sum.multiply(sum, mc);
        }
        return sum;
    }

    @Test
    void withinTwoUlpsOfTheTrueValue() {
        Random rnd = new Random(3);
        for (int i = 0; i < 3000; i++) {
            double x = i < 2000 ? -rnd.nextDouble() * 708 : (rnd.nextDouble() - 0.5) * 40;
            double got = Exp64.exp(x);
            BigDecimal want = referenceExp(x);
            double ulps = new BigDecimal(got).subtract(want).abs().doubleValue() / Math.ulp(want.doubleValue());
            assertTrue(ulps <= 2.0, "exp(" + x + ") off by " + ulps + " ulp");
        }
        assertEquals(1.0, Exp64.exp(0.0));
        assertEquals(Exp64.exp(-708), Exp64.exp(-1e6));
    }

    @Test
    void simdLanesGiveTheScalarBits() {
        Random rnd = new Random(5);
        float[] x = new float[515];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * 30);
        }
        double[] vec = new double[x.length];
        double[] sca = new double[x.length];
        Ops.best().expShifted(x.length, x, 0, 12.5, vec);
        new ScalarOps().expShifted(x.length, x, 0, 12.5, sca);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Double.doubleToRawLongBits(sca[i]), Double.doubleToRawLongBits(vec[i]), "lane " + i);
        }
    }
}
