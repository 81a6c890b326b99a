# Writes the seed corpus of fuzz_npy by hand (no numpy needed): python3 make_npy_corpus.py
# run inside tests/fuzz/corpus/npy.
import struct, sys
def npy(descr, shape, payload, fortran=False, version=1):
    hdr = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, 'True' if fortran else 'False',
          '(' + ''.join('%d, ' % d for d in shape).rstrip(' ') .rstrip(',') + (',)' if len(shape) == 1 else ')'))
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(hdr) + 1) % 64) % 64
    hdr = hdr + ' ' * pad + '\n'
    lenf = struct.pack('<H', len(hdr)) if version == 1 else struct.pack('<I', len(hdr))
    return b'\x93NUMPY' + bytes([version, 0]) + lenf + hdr.encode('latin1') + payload
out = {
 'f8_2x3.npy': npy('<f8', (2, 3), struct.pack('<6d', 1, 2, 3, 4.5, -0.0, 1e-300)),
 'f8_fortran_2x3.npy': npy('<f8', (2, 3), struct.pack('<6d', 1, 4, 2, 5, 3, 6), fortran=True),
 'i4_vec.npy': npy('<i4', (4,), struct.pack('<4i', 1, -2, 3, 2**31 - 1)),
 'i8_scalar.npy': npy('<i8', (), struct.pack('<q', -5)),
 'c16_1x2.npy': npy('<c16', (1, 2), struct.pack('<4d', 1, 2, 3, 4)),
 'f8_v2_3d.npy': npy('<f8', (2, 1, 2), struct.pack('<4d', 1, 2, 3, 4), version=2),
 'f8_empty.npy': npy('<f8', (0, 3), b''),
 'bad_truncated.npy': npy('<f8', (3, 3), struct.pack('<2d', 1, 2)),
 'bad_bigendian.npy': npy('>f8', (1,), struct.pack('>d', 1)),
}
for k, v in out.items(): open(k, 'wb').write(v)
