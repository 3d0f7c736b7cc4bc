package io.jgrok.device;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's name and parameter types, as registered by {@code JGROK_REGISTER_KERNEL} (the emulator reads them from
 * its kernel library, CudaDevice from the manifest {@code kernels/jgrok.kernels} written by {@code make kernels}).
 * The compact form is one letter per parameter: p pointer, i 32-bit integer, l 64-bit integer, f float, d double.
 */
public record KernelSignature(String name, List<KernelArgs.Type> params) {
    public KernelSignature {
        params = List.copyOf(params);
    }

    /** Parses the compact form, e.g. {@code ("selftest_fill_f32", "pfi")}. */
    public static KernelSignature parse(String name, String letters) {
        List<KernelArgs.Type> types = new ArrayList<>();
        for (char c : letters.toCharArray()) {
            types.add(switch (c) {
                case 'p' -> KernelArgs.Type.PTR;
                case 'i' -> KernelArgs.Type.I32;
                case 'l' -> KernelArgs.Type.I64;
                case 'f' -> KernelArgs.Type.F32;
                case 'd' -> KernelArgs.Type.F64;
                default -> throw new IllegalArgumentException("kernel " + name + ": unknown parameter code '" + c
                        + "' in signature '" + letters + "'");
            });
        }
        return new KernelSignature(name, types);
    }

    /** Throws a one-line {@link DeviceException} unless {@code args} has exactly these types in this order. */
    public void check(KernelArgs args) {
        List<KernelArgs.Arg> given = args.list();
        boolean same = given.size() == params.size();
        for (int i = 0; same && i < given.size(); i++) {
            same = given.get(i).type() == params.get(i);
        }
        if (!same) {
            List<KernelArgs.Type> givenTypes = given.stream().map(KernelArgs.Arg::type).toList();
            throw new DeviceException("kernel " + this + " was launched with " + describe(givenTypes));
        }
    }

    static String describe(List<KernelArgs.Type> types) {
        return "(" + String.join(", ", types.stream().map(t -> t.name().toLowerCase()).toList()) + ")";
    }

    @Override
    public String toString() {
        return name + describe(params);
    }
}
