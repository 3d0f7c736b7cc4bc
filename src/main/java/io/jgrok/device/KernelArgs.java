package io.jgrok.device;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Kernel arguments in declaration order, each with its C type, packed the way cuLaunchKernel's
 * {@code kernelParams} expects (one pointer per argument to that argument's value). Types are explicit so that an
 * {@code int} parameter never receives 8 bytes by accident.
 */
public final class KernelArgs {
    /** C type of one argument. */
    public enum Type { PTR, I32, I64, F32, F64 }

    /** One argument: its type and value (a DevicePtr address, or the number's bits). */
    public record Arg(Type type, long bits) {
        public int size() {
            return switch (type) {
                case I32, F32 -> 4;
                case PTR, I64, F64 -> 8;
            };
        }
    }

    private final List<Arg> args = new ArrayList<>();

    public static KernelArgs of() {
        return new KernelArgs();
    }

    public KernelArgs ptr(DevicePtr p) {
        args.add(new Arg(Type.PTR, p == null ? 0 : p.address()));
        return this;
    }

    public KernelArgs i32(int v) {
        args.add(new Arg(Type.I32, v));
        return this;
    }

    public KernelArgs i64(long v) {
        args.add(new Arg(Type.I64, v));
        return this;
    }

    public KernelArgs f32(float v) {
        args.add(new Arg(Type.F32, Float.floatToRawIntBits(v)));
        return this;
    }

    public KernelArgs f64(double v) {
        args.add(new Arg(Type.F64, Double.doubleToRawLongBits(v)));
        return this;
    }

    public List<Arg> list() {
        return Collections.unmodifiableList(args);
    }
}
