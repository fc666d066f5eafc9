/**
 * Okapi BM25 over short documents: the lexical fallback for retrieving similar labelled
 * examples when the endpoint offers no embeddings.
 */
const K1 = 1.2;
const B = 0.75;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export class Bm25Index {
  private readonly docs: Map<string, number>[];
  private readonly lengths: number[];
  private readonly documentFrequency = new Map<string, number>();
  private readonly averageLength: number;

  constructor(texts: readonly string[]) {
    this.docs = texts.map((text) => {
      const counts = new Map<string, number>();
      for (const token of tokenize(text)) counts.set(token, (counts.get(token) ?? 0) + 1);
      return counts;
    });
    this.lengths = this.docs.map((d) => [...d.values()].reduce((s, v) => s + v, 0));
    for (const doc of this.docs) for (const token of doc.keys()) this.documentFrequency.set(token, (this.documentFrequency.get(token) ?? 0) + 1);
    this.averageLength = this.lengths.reduce((s, v) => s + v, 0) / Math.max(1, this.docs.length);
  }

  /** Indices of the k best-matching documents, best first; documents sharing no term are left out. */
  search(query: string, k: number): number[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.length;
    const scored: { index: number; score: number }[] = [];
    this.docs.forEach((doc, index) => {
      let score = 0;
      for (const term of terms) {
        const tf = doc.get(term);
        if (!tf) continue;
        const df = this.documentFrequency.get(term)!;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * this.lengths[index]!) / (this.averageLength || 1)));
      }
      if (score > 0) scored.push({ index, score });
    });
    return scored.sort((a, b) => b.score - a.score || a.index - b.index).slice(0, k).map((s) => s.index);
  }
}
