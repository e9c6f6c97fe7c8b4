package dev.gguflens.bench;

/** A long Jinja chat template (system prompt, tools, tool calls and results), as instruction-tuned models carry one. */
public final class ChatTemplate {
    private ChatTemplate() {
    }

    /**
     * About 3.9 KB of template text, written for these benchmarks: what matters to a parser is its length
     * and its characters (quotes, braces, newlines, special tokens), not what it would render.
     */
    public static final String WITH_TOOLS = """
            {#- gguflens benchmark template: roles system, user, assistant, tool #}
            {{- bos_token }}
            {%- set today = today if today is defined else "2025-01-01" %}
            {%- set tool_list = tools if tools is defined and tools else [] %}
            {%- set inline_tools = inline_tools if inline_tools is defined else false %}

            {#- 1. The opening system turn #}
            {%- if messages and messages[0].role == "system" %}
                {%- set preamble = messages[0].content | trim %}
                {%- set turns = messages[1:] %}
            {%- else %}
                {%- set preamble = "You are a careful assistant. Answer briefly and say when you are unsure." %}
                {%- set turns = messages %}
            {%- endif %}
            {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
            {{- "Date: " ~ today ~ "\\n" }}
            {%- if tool_list and not inline_tools %}
                {{- "You may call one of the tools below. To call it, answer with a single JSON object " }}
                {{- "{\\"tool\\": NAME, \\"arguments\\": {ARGUMENT: VALUE, ...}} and nothing else.\\n" }}
                {{- "Tools:\\n" }}
                {%- for tool in tool_list %}
                    {{- "- " ~ tool.function.name ~ ": " ~ (tool.function.description | default("no description")) ~ "\\n" }}
                    {{- "  schema: " ~ (tool.function.parameters | tojson) ~ "\\n" }}
                {%- endfor %}
            {%- endif %}
            {{- "\\n" ~ preamble ~ "<|eot_id|>" }}

            {#- 2. Tools announced in the first user turn instead, when asked to #}
            {%- if tool_list and inline_tools %}
                {%- if not turns %}
                    {{- raise_exception("inline_tools needs a user message to carry the tool list") }}
                {%- endif %}
                {{- "<|start_header_id|>user<|end_header_id|>\\n\\n" }}
                {{- "Here are the tools you can use. Reply with one JSON call when a tool helps, " }}
                {{- "otherwise answer in plain text.\\n\\n" }}
                {%- for tool in tool_list %}
                    {{- tool | tojson(indent=2) ~ "\\n\\n" }}
                {%- endfor %}
                {{- turns[0].content | trim ~ "<|eot_id|>" }}
                {%- set turns = turns[1:] %}
            {%- endif %}

            {#- 3. The conversation #}
            {%- for turn in turns %}
                {%- if turn.role in ["user", "assistant"] and not turn.tool_calls %}
                    {{- "<|start_header_id|>" ~ turn.role ~ "<|end_header_id|>\\n\\n" }}
                    {%- if turn.content is string %}
                        {{- turn.content | trim }}
                    {%- else %}
                        {%- for part in turn.content %}
                            {%- if part.type == "text" %}
                                {{- part.text }}
                            {%- else %}
                                {{- "[" ~ part.type ~ " omitted]" }}
                            {%- endif %}
                        {%- endfor %}
                    {%- endif %}
                    {{- "<|eot_id|>" }}
                {%- elif turn.tool_calls %}
                    {{- "<|start_header_id|>assistant<|end_header_id|>\\n\\n" }}
                    {%- for call in turn.tool_calls %}
                        {%- set fn = call.function if call.function is defined else call %}
                        {{- "<|tool_call|>{\\"tool\\": \\"" ~ fn.name ~ "\\", \\"arguments\\": " }}
                        {%- if fn.arguments is string %}
                            {{- fn.arguments }}
                        {%- else %}
                            {{- fn.arguments | tojson }}
                        {%- endif %}
                        {{- "}" }}
                        {%- if not loop.last %}{{- "\\n" }}{%- endif %}
                    {%- endfor %}
                    {{- "<|eom_id|>" if keep_tool_turn_open is defined and keep_tool_turn_open else "<|eot_id|>" }}
                {%- elif turn.role == "tool" %}
                    {{- "<|start_header_id|>tool<|end_header_id|>\\n\\n" }}
                    {%- if turn.name is defined %}
                        {{- "(" ~ turn.name ~ ") " }}
                    {%- endif %}
                    {{- (turn.content | tojson) if turn.content is mapping else turn.content }}
                    {{- "<|eot_id|>" }}
                {%- else %}
                    {{- raise_exception("unknown role '" ~ turn.role ~ "' in message " ~ loop.index) }}
                {%- endif %}
            {%- endfor %}

            {#- 4. Where the model takes over #}
            {%- if add_generation_prompt %}
                {{- "<|start_header_id|>assistant<|end_header_id|>\\n\\n" }}
                {%- if prefill is defined and prefill %}
                    {{- prefill }}
                {%- endif %}
            {%- endif %}
            """;
}
