#!/usr/bin/env python3
"""Draws media/icon.png (128x128): three clusters of points on a dark tile.
Pure Python (zlib + struct), so it runs anywhere: python3 media/make-icon.py"""
import math, random, struct, zlib, os

W = H = 128
SS = 4  # supersampling per axis
BG = (30, 42, 56)
CLUSTERS = [((40, 42), (79, 193, 255)), ((90, 48), (255, 183, 77)), ((60, 90), (129, 199, 132))]

def blend(dst, src, a):
    return tuple(d + (s - d) * a for d, s in zip(dst, src))

def main():
    rnd = random.Random(7)
    points = []
    for (cx, cy), color in CLUSTERS:
        points.append((cx, cy, 19, color, 0.22))  # halo
        for _ in range(8):
            r = abs(rnd.gauss(0, 8))
            t = rnd.uniform(0, 2 * math.pi)
            points.append((cx + r * math.cos(t), cy + r * math.sin(t), 5.2, color, 1.0))
    rows = []
    for y in range(H):
        row = bytearray([0])
        for x in range(W):
            acc = [0.0, 0.0, 0.0, 0.0]
            for sy in range(SS):
                for sx in range(SS):
                    px, py = x + (sx + 0.5) / SS, y + (sy + 0.5) / SS
                    # rounded square tile, radius 22
                    qx, qy = max(22 - px, px - (W - 22), 0), max(22 - py, py - (H - 22), 0)
                    if qx * qx + qy * qy > 22 * 22:
                        continue
                    c = BG
                    for (cx, cy, rad, color, alpha) in points:
                        if (px - cx) ** 2 + (py - cy) ** 2 <= rad * rad:
                            c = blend(c, color, alpha)
                    acc[0] += c[0]; acc[1] += c[1]; acc[2] += c[2]; acc[3] += 255
            n = SS * SS
            a = acc[3] / n
            if a == 0:
                row += bytes(4)
            else:
                k = 255 / a
                row += bytes([round(acc[0] / n * k), round(acc[1] / n * k), round(acc[2] / n * k), round(a)])
        rows.append(bytes(row))
    raw = b''.join(rows)
    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)
    png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b'')
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'icon.png')
    with open(out, 'wb') as f:
        f.write(png)
    print(out, len(png), 'bytes')

main()
