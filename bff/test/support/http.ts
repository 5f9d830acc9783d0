/** A parsed JSON body: loosely typed, since tests assert on its shape. */
// biome-ignore lint/suspicious/noExplicitAny: assertions walk arbitrary JSON
export type Json = any;

/** The response body parsed as JSON. */
export function json(res: Response): Promise<Json> {
  return res.json();
}
