import {
  type Context,
  type Liquid,
  type Parser,
  Tag,
  type TagToken,
  type Template,
  TokenKind,
  type TopLevelToken,
} from "liquidjs";

/** The register a render collects its parts in. */
export const PARTS_REGISTER = "shopmesh.parts";

/**
 * `{% part name %}...{% endpart %}`: one named part of a message (an email's subject, html and
 * text; a push message's title and body). The part renders nothing in place; its output is
 * collected under its name.
 *
 * The body of a part named `html` is parsed by the HTML engine, which escapes every output
 * (`{{ name }}` of "A & B" is "A &amp; B") unless marked `| raw`; other parts are plain text and
 * keep what they are given. That is decided while parsing, so no template can forget it.
 */
export function createPartTag(engineFor: (part: string) => Liquid | undefined) {
  return class PartTag extends Tag {
    readonly part: string;
    readonly templates: Template[] = [];

    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid, _parser: Parser) {
      super(token, remainTokens, liquid);
      this.part = this.tokenizer.readIdentifier().content;
      if (!this.part) throw new Error(`${token.getText()}: a part needs a name`);
      const engine = engineFor(this.part) ?? liquid;
      while (remainTokens.length > 0) {
        const next = remainTokens.shift()!;
        if (next.kind === TokenKind.Tag && (next as TagToken).name === "endpart") return;
        this.templates.push(engine.parser.parseToken(next, remainTokens));
      }
      throw new Error(`${token.getText()} is not closed with {% endpart %}`);
    }

    *render(ctx: Context): Generator<unknown, void, string> {
      const output = yield this.liquid.renderer.renderTemplates(this.templates, ctx);
      const parts = ctx.getRegister<Record<string, string> | undefined>(PARTS_REGISTER);
      if (parts) parts[this.part] = output;
    }
  };
}
