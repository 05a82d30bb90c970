// SMS segments as Twilio counts them (supabase/functions/_shared/sms-segments.ts, over Twilio's own
// calculator): the boundaries of GSM-7 and UCS-2, extension characters counting two, and an escape
// pair never split across segments.
import { SegmentedMessage } from "sms-segments-calculator";
import { describe, expect, it } from "vitest";
import { countSegments } from "../../supabase/functions/_shared/sms-segments.ts";

const a = (n: number) => "a".repeat(n);

describe("segment counting", () => {
  it.each([
    ["160 GSM-7 characters", a(160), "GSM-7", 1, 160],
    ["161 GSM-7 characters", a(161), "GSM-7", 2, 161],
    ["306 GSM-7 characters (2 × 153)", a(306), "GSM-7", 2, 306],
    ["307 GSM-7 characters", a(307), "GSM-7", 3, 307],
    ["80 euro signs (each an escape pair: 160 septets)", "€".repeat(80), "GSM-7", 1, 80],
    ["81 euro signs", "€".repeat(81), "GSM-7", 2, 81],
    ["70 non-GSM letters", "ж".repeat(70), "UCS-2", 1, 70],
    ["71 non-GSM letters", "ж".repeat(71), "UCS-2", 2, 71],
    ["35 emoji (two UTF-16 units each)", "😀".repeat(35), "UCS-2", 1, 35],
    ["36 emoji", "😀".repeat(36), "UCS-2", 2, 36],
    // 306 septets fit two segments of 153 only if the € (two septets) could straddle them: it cannot.
    ["an extension character at a segment boundary", `${a(152)}€${a(152)}`, "GSM-7", 3, 305],
    ["the same length without the escape pair", a(306), "GSM-7", 2, 306],
    ["every extension character", "{}[]~\\|^€\f", "GSM-7", 1, 10],
  ] as const)("%s", (_what, body, encoding, segments, characters) => {
    const count = countSegments(body);
    expect({ encoding: count.encoding, segments: count.segments, characters: count.characters })
      .toEqual({ encoding, segments, characters });
  });

  it("names the characters that force UCS-2, once each, in order", () => {
    expect(countSegments("Café “quoted” café ✓").nonGsmCharacters).toEqual(["“", "”", "✓"]);
    expect(countSegments("All GSM: café, Ærø, ¿¡").nonGsmCharacters).toEqual([]);
  });

  it("counts plain GSM-7 bodies without the calculator exactly as the calculator does", () => {
    // The characters countSegments counts by arithmetic (one septet, one grapheme each).
    const alphabet = "ABCXYZabcxyz0123456789 \n!\"#%&'()*+,-./:;<=>?@$_";
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const lengths = [1, 2, 152, 153, 154, 159, 160, 161, 305, 306, 307, 459, 460, 1600, ...Array.from({ length: 200 }, () => 1 + random(1600))];
    for (const length of lengths) {
      const body = Array.from({ length }, () => alphabet[random(alphabet.length)]).join("");
      const reference = new SegmentedMessage(body, "auto");
      expect(countSegments(body), JSON.stringify(body))
        .toEqual({ characters: reference.graphemes.length, encoding: reference.encodingName, segments: reference.segmentsCount, nonGsmCharacters: [] });
    }
  });
});
