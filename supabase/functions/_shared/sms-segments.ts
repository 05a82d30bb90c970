// How many SMS segments a body costs and why, counted as Twilio counts them by Twilio's own
// open-source calculator (sms-segments-calculator): GSM-7 160 characters in one segment, 153 each
// when concatenated, extension characters ({ } [ ] ~ \ | ^ € and form feed) counting two and an
// escape pair never split across segments; any character outside GSM-7 makes the whole message
// UCS-2, 70 / 67 per segment, counted in UTF-16 code units (an emoji is two).
import { SegmentedMessage } from "sms-segments-calculator";

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  /** Characters as a reader sees them (grapheme clusters). */
  characters: number;
  encoding: SmsEncoding;
  segments: number;
  /** The distinct characters that force UCS-2, in order of appearance. */
  nonGsmCharacters: string[];
}

export function countSegments(body: string): SegmentCount {
  const message = new SegmentedMessage(body, "auto");
  return {
    characters: message.graphemes.length,
    encoding: message.encodingName,
    segments: message.segmentsCount,
    nonGsmCharacters: [...new Set(message.getNonGsmCharacters())],
  };
}
