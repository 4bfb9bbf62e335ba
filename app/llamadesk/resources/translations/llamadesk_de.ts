<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>Accessibility</name>
    <message>
        <source>Dismiss the message</source>
        <translation>Meldung schließen</translation>
    </message>
    <message>
        <source>Message to the model</source>
        <translation>Nachricht an das Modell</translation>
    </message>
    <message>
        <source>Chats</source>
        <translation>Chats</translation>
    </message>
    <message>
        <source>Thinking</source>
        <translation>Denken</translation>
    </message>
    <message>
        <source>Preference pairs</source>
        <translation>Präferenzpaare</translation>
    </message>
    <message>
        <source>Leaderboard</source>
        <translation>Rangliste</translation>
    </message>
    <message>
        <source>More toolbar items</source>
        <translation>Weitere Werkzeugleisten-Einträge</translation>
    </message>
    <message>
        <source>You, {time}</source>
        <translation>Sie, {time}</translation>
    </message>
    <message>
        <source>Answer from {model}, {time}</source>
        <translation>Antwort von {model}, {time}</translation>
    </message>
    <message>
        <source>Answer from {model}, being written</source>
        <translation>Antwort von {model}, wird geschrieben</translation>
    </message>
</context>
<context>
    <name>AnswerRating</name>
    <message>
        <source>This answer is good (click again to undo)</source>
        <translation>Diese Antwort ist gut (erneut klicken zum Zurücknehmen)</translation>
    </message>
    <message>
        <source>This answer is bad (click again to undo)</source>
        <translation>Diese Antwort ist schlecht (erneut klicken zum Zurücknehmen)</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Gut</translation>
    </message>
    <message>
        <source>Bad</source>
        <translation>Schlecht</translation>
    </message>
    <message>
        <source>Why…</source>
        <translation>Warum…</translation>
    </message>
    <message>
        <source>Why… / better answer</source>
        <translation>Warum… / bessere Antwort</translation>
    </message>
    <message>
        <source>rewritten</source>
        <translation>umgeschrieben</translation>
    </message>
    <message>
        <source>Previous answer</source>
        <translation>Vorige Antwort</translation>
    </message>
    <message>
        <source>Next answer</source>
        <translation>Nächste Antwort</translation>
    </message>
    <message>
        <source>★ Best</source>
        <translation>★ Beste</translation>
    </message>
    <message>
        <source>The best of the answers to this prompt</source>
        <translation>Die beste der Antworten auf diesen Prompt</translation>
    </message>
    <message>
        <source>Rank…</source>
        <translation>Rangfolge…</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>LlamaDesk cannot start</source>
        <translation>LlamaDesk kann nicht starten</translation>
    </message>
    <message>
        <source>Chat history recovered</source>
        <translation>Chatverlauf wiederhergestellt</translation>
    </message>
</context>
<context>
    <name>ArenaView</name>
    <message>
        <source>Levels marked (remote …) answer on their server, as you or the server said they are; their sizes are your file&apos;s of the same level, else estimates from their level.</source>
        <translation>Mit (remote …) markierte Stufen antworten auf ihrem Server, so wie Sie oder der Server sie angegeben haben; ihre Größe ist die Ihrer Datei derselben Stufe, sonst eine Schätzung aus der Stufe.</translation>
    </message>
    <message>
        <source>Levels marked &apos;requantized from …&apos; were made from an already quantized file, so their losses add to that file&apos;s.</source>
        <translation>Stufen mit der Markierung „requantisiert aus …“ wurden aus einer bereits quantisierten Datei erzeugt; ihre Verluste kommen zu denen dieser Datei hinzu.</translation>
    </message>
    <message>
        <source>{level} cannot be better than its source, so {reference} stays the reference: duels against it show whether you can tell a requantized copy from its source.</source>
        <translation>{level} kann nicht besser sein als seine Quelle, daher bleibt {reference} die Referenz: Duelle dagegen zeigen, ob Sie eine requantisierte Kopie von ihrer Quelle unterscheiden können.</translation>
    </message>
    <message>
        <source>Make another level…</source>
        <translation>Weitere Stufe erzeugen…</translation>
    </message>
    <message>
        <source>Quantize the reference to a smaller level, or (requantized, labelled so) a larger one</source>
        <translation>Die Referenz auf eine kleinere Stufe quantisieren, oder (requantisiert und so gekennzeichnet) auf eine größere</translation>
    </message>
    <message>
        <source>A model on a server…</source>
        <translation>Ein Modell auf einem Server…</translation>
    </message>
    <message>
        <source>Say which model and level a model on one of your servers is</source>
        <translation>Angeben, welches Modell in welcher Stufe ein Modell auf einem Ihrer Server ist</translation>
    </message>
    <message>
        <source>Blind duel</source>
        <translation>Blindes Duell</translation>
    </message>
    <message>
        <source>Your quality curve</source>
        <translation>Ihre Qualitätskurve</translation>
    </message>
    <message>
        <source>Where answers go wrong</source>
        <translation>Wo Antworten abweichen</translation>
    </message>
    <message>
        <source>&lt;b&gt;Quant arena&lt;/b&gt;: can you tell the levels of a model apart?</source>
        <translation>&lt;b&gt;Quant-Arena&lt;/b&gt;: Können Sie die Stufen eines Modells unterscheiden?</translation>
    </message>
    <message>
        <source>  Model</source>
        <translation>  Modell</translation>
    </message>
    <message>
        <source>{} vs the original</source>
        <translation>{} gegen das Original</translation>
    </message>
    <message>
        <source>The arena needs two levels of one model: download another level, make a smaller one from a model you have (Models, Quantize), or say which model a model on one of your servers is (A model on a server…).</source>
        <translation>Die Arena braucht zwei Stufen eines Modells: Laden Sie eine weitere Stufe herunter, erstellen Sie eine kleinere aus einem vorhandenen Modell (Modelle, Quantisieren) oder geben Sie an, welches Modell ein Modell auf einem Ihrer Server ist (Ein Modell auf einem Server…).</translation>
    </message>
    <message>
        <source>This tuned model cannot duel: its original model was not found, or it has no held-out prompts.</source>
        <translation>Dieses angepasste Modell kann nicht antreten: Sein Originalmodell wurde nicht gefunden, oder es hat keine zurückgehaltenen Prompts.</translation>
    </message>
    <message>
        <source>{model} has no other level in your models folder to score it against: download one, or make one (Models, Quantize).</source>
        <translation>Zu {model} gibt es in Ihrem Modellordner keine andere Stufe zum Vergleich: Laden Sie eine herunter oder erzeugen Sie eine (Modelle, Quantisieren).</translation>
    </message>
    <message>
        <source>The model of this answer</source>
        <translation>Das Modell dieser Antwort</translation>
    </message>
    <message>
        <source>Every level of this model is on a server: there is no file to quantize.</source>
        <translation>Jede Stufe dieses Modells liegt auf einem Server: Es gibt keine Datei zum Quantisieren.</translation>
    </message>
    <message>
        <source>Measuring {model} on your conversations…</source>
        <translation>{model} wird an Ihren Unterhaltungen gemessen…</translation>
    </message>
    <message>
        <source>{level} is on a server: KL needs its whole prediction at each token, which only a file here gives. Measure a local level against it instead.</source>
        <translation>{level} liegt auf einem Server: Die KL braucht die vollständige Vorhersage bei jedem Token, die nur eine Datei hier liefert. Messen Sie stattdessen eine lokale Stufe daran.</translation>
    </message>
    <message>
        <source>{reference} cannot be measured against: {why}.</source>
        <translation>An {reference} kann nicht gemessen werden: {why}.</translation>
    </message>
    <message>
        <source>{level}: KL {kl:.4f}, top-1 {top1:.1%} on {tokens:,} tokens of your conversations.</source>
        <translation>{level}: KL {kl:.4f}, Top-1 {top1:.1%} auf {tokens:,} Token Ihrer Unterhaltungen.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>CatalogPane</name>
    <message>
        <source>Search models</source>
        <translation>Modelle suchen</translation>
    </message>
    <message>
        <source>All families</source>
        <translation>Alle Familien</translation>
    </message>
    <message>
        <source>All sizes</source>
        <translation>Alle Größen</translation>
    </message>
    <message>
        <source>owner/name</source>
        <translation>besitzer/name</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <source>Open any repository</source>
        <translation>Beliebiges Repository öffnen</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>The answer could not be read for re-scoring: {error}</source>
        <translation>Die Antwort konnte für die Neubewertung nicht gelesen werden: {error}</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
</context>
<context>
    <name>ChatSettings</name>
    <message>
        <source>Load a model to see what this llama.cpp build can use.</source>
        <translation>Laden Sie ein Modell, um zu sehen, was dieser llama.cpp-Build nutzen kann.</translation>
    </message>
    <message>
        <source>all models</source>
        <translation>alle Modelle</translation>
    </message>
    <message>
        <source>This chat&apos;s settings were not saved. {error}</source>
        <translation>Die Einstellungen dieses Chats wurden nicht gespeichert. {error}</translation>
    </message>
    <message>
        <source>Loading the model again with the new settings…</source>
        <translation>Das Modell wird mit den neuen Einstellungen neu geladen…</translation>
    </message>
</context>
<context>
    <name>ChatTransfer</name>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Web page, one file (*.html)</source>
        <translation>Webseite, eine Datei (*.html)</translation>
    </message>
    <message>
        <source>LlamaDesk JSON, everything kept (*.json)</source>
        <translation>LlamaDesk-JSON, alles erhalten (*.json)</translation>
    </message>
    <message>
        <source>Chat exports: LlamaDesk, ChatGPT (conversations.json or its ZIP), Open WebUI (*.json *.zip);;All files (*)</source>
        <translation>Chat-Exporte: LlamaDesk, ChatGPT (conversations.json oder dessen ZIP), Open WebUI (*.json *.zip);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Export all chats</source>
        <translation>Alle Chats exportieren</translation>
    </message>
    <message>
        <source>Export chats</source>
        <translation>Chats exportieren</translation>
    </message>
    <message>
        <source>Exporting to {path}…</source>
        <translation>Export nach {path}…</translation>
    </message>
    <message>
        <source>Import chats</source>
        <translation>Chats importieren</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>{name} wird importiert…</translation>
    </message>
    <message>
        <source>{n} chat</source>
        <translation>{n} Chat</translation>
    </message>
    <message>
        <source>{n} chats</source>
        <translation>{n} Chats</translation>
    </message>
    <message>
        <source>{n} message</source>
        <translation>{n} Nachricht</translation>
    </message>
    <message>
        <source>{n} messages</source>
        <translation>{n} Nachrichten</translation>
    </message>
    <message>
        <source>Exported {chats} ({messages}) to {path}.</source>
        <translation>{chats} ({messages}) nach {path} exportiert.</translation>
    </message>
    <message>
        <source>{kind} export: {summary}</source>
        <translation>{kind}-Export: {summary}</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>hit the length limit</source>
        <translation>Längenlimit erreicht</translation>
    </message>
    <message>
        <source>stopped by you</source>
        <translation>von Ihnen gestoppt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>{speed:.1f} tokens/s</source>
        <translation>{speed:.1f} Token/s</translation>
    </message>
    <message>
        <source>{ttft:.0f} ms to first token</source>
        <translation>{ttft:.0f} ms bis zum 1. Token</translation>
    </message>
    <message>
        <source>{prompt} in / {completion} out</source>
        <translation>{prompt} ein / {completion} aus</translation>
    </message>
    <message>
        <source>{completion} out</source>
        <translation>{completion} aus</translation>
    </message>
    <message>
        <source>Thought for less than a second</source>
        <translation>Weniger als eine Sekunde nachgedacht</translation>
    </message>
    <message>
        <source>Thought for {seconds:.0f} s</source>
        <translation>{seconds:.0f} s nachgedacht</translation>
    </message>
    <message>
        <source>Show earlier messages</source>
        <translation>Frühere Nachrichten zeigen</translation>
    </message>
    <message>
        <source>↻ Regenerate</source>
        <translation>↻ Neu erzeugen</translation>
    </message>
    <message>
        <source>Write another answer</source>
        <translation>Eine weitere Antwort schreiben</translation>
    </message>
    <message>
        <source>Show {n} earlier messages</source>
        <translation>{n} frühere Nachrichten zeigen</translation>
    </message>
    <message>
        <source>Where would a smaller level go wrong?…</source>
        <translation>Wo weicht eine kleinere Stufe ab?…</translation>
    </message>
    <message>
        <source>writing…</source>
        <translation>schreibt…</translation>
    </message>
    <message>
        <source>not saved</source>
        <translation>nicht gespeichert</translation>
    </message>
    <message>
        <source>Save again</source>
        <translation>Erneut speichern</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Code kopieren</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>One prompt; two answers; you pick the better one.</source>
        <translation>Ein Prompt, zwei Antworten: Sie wählen die bessere.</translation>
    </message>
    <message>
        <source>Blind: hide which model wrote which until I vote</source>
        <translation>Blind: verbergen, welches Modell was schrieb, bis ich abstimme</translation>
    </message>
    <message>
        <source>Write both answers</source>
        <translation>Beide Antworten schreiben</translation>
    </message>
    <message>
        <source>Answer {side}</source>
        <translation>Antwort {side}</translation>
    </message>
    <message>
        <source>Put a model in the models folder or open one first.</source>
        <translation>Legen Sie zuerst ein Modell in den Modellordner oder öffnen Sie eines.</translation>
    </message>
    <message>
        <source>Both answers are in: which is better?</source>
        <translation>Beide Antworten sind da: Welche ist besser?</translation>
    </message>
    <message>
        <source>Vote saved. Change it, or write a new prompt.</source>
        <translation>Stimme gespeichert. Ändern Sie sie oder schreiben Sie einen neuen Prompt.</translation>
    </message>
    <message>
        <source>Answer {side}: {model}</source>
        <translation>Antwort {side}: {model}</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>Thinking: model default</source>
        <translation>Denken: Modellstandard</translation>
    </message>
    <message>
        <source>Thinking: on</source>
        <translation>Denken: an</translation>
    </message>
    <message>
        <source>Thinking: off</source>
        <translation>Denken: aus</translation>
    </message>
    <message>
        <source>Reasoning effort: low</source>
        <translation>Denkaufwand: niedrig</translation>
    </message>
    <message>
        <source>Reasoning effort: medium</source>
        <translation>Denkaufwand: mittel</translation>
    </message>
    <message>
        <source>Reasoning effort: high</source>
        <translation>Denkaufwand: hoch</translation>
    </message>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter adds a line)</source>
        <translation>Nachricht an das Modell…  (Enter sendet, Umschalt+Enter fügt eine Zeile ein)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>How much this reasoning model thinks before it answers</source>
        <translation>Wie viel dieses Reasoning-Modell nachdenkt, bevor es antwortet</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Reasoning effort: model default</source>
        <translation>Denkaufwand: Modellstandard</translation>
    </message>
</context>
<context>
    <name>ContenderForm</name>
    <message>
        <source>temp</source>
        <translation>Temp.</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>{model}  (remote)</source>
        <translation>{model}  (entfernt)</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <source>Rename chat</source>
        <translation>Chat umbenennen</translation>
    </message>
    <message>
        <source>Title:</source>
        <translation>Titel:</translation>
    </message>
    <message>
        <source>Delete “{title}” and all its messages? This cannot be undone.</source>
        <translation>„{title}“ und alle seine Nachrichten löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete chat</source>
        <translation>Chat löschen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>Exportieren…</translation>
    </message>
    <message>
        <source>Export {n} chats…</source>
        <translation>{n} Chats exportieren…</translation>
    </message>
    <message>
        <source>Export all chats…</source>
        <translation>Alle Chats exportieren…</translation>
    </message>
    <message>
        <source>Import chats…</source>
        <translation>Chats importieren…</translation>
    </message>
</context>
<context>
    <name>CurvePanel</name>
    <message>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Duels</source>
        <translation>Duelle</translation>
    </message>
    <message>
        <source>Preferred reference (95% interval)</source>
        <translation>Referenz bevorzugt (95-%-Intervall)</translation>
    </message>
    <message>
        <source>Verdict</source>
        <translation>Urteil</translation>
    </message>
    <message>
        <source>Top-1</source>
        <translation>Top-1</translation>
    </message>
    <message>
        <source>too few duels</source>
        <translation>zu wenige Duelle</translation>
    </message>
    <message>
        <source>you told them apart</source>
        <translation>Sie haben sie unterschieden</translation>
    </message>
    <message>
        <source>you could not tell</source>
        <translation>Sie konnten sie nicht unterscheiden</translation>
    </message>
    <message>
        <source>undecided</source>
        <translation>unentschieden</translation>
    </message>
    <message>
        <source>The levels: duels, preference and KL</source>
        <translation>Die Stufen: Duelle, Präferenz und KL</translation>
    </message>
    <message>
        <source>Measure KL on your conversations</source>
        <translation>KL an Ihren Unterhaltungen messen</translation>
    </message>
    <message>
        <source>Preferred reference</source>
        <translation>Referenz bevorzugt</translation>
    </message>
    <message>
        <source>KL (nats)</source>
        <translation>KL (nats)</translation>
    </message>
    <message>
        <source>Bits per weight (file sizes marked)</source>
        <translation>Bits pro Gewicht (Dateigrößen markiert)</translation>
    </message>
    <message>
        <source>Pick a level other than the reference in the table.</source>
        <translation>Wählen Sie in der Tabelle eine andere Stufe als die Referenz.</translation>
    </message>
</context>
<context>
    <name>DatasetView</name>
    <message>
        <source>Nothing to export yet — rate some answers first.</source>
        <translation>Noch nichts zu exportieren – bewerten Sie zuerst einige Antworten.</translation>
    </message>
    <message>
        <source>When you pick the better of two answers, you make the data that RLHF runs on: preference pairs (a chosen and a rejected answer to one prompt) train reward models and DPO, and your Good and Bad ratings train KTO. Export them and train with TRL as they are.</source>
        <translation>Wenn Sie die bessere von zwei Antworten wählen, erzeugen Sie die Daten, mit denen RLHF arbeitet: Präferenzpaare (eine gewählte und eine abgelehnte Antwort auf einen Prompt) trainieren Reward-Modelle und DPO, Ihre Gut- und Schlecht-Bewertungen trainieren KTO. Exportieren Sie sie und trainieren Sie damit unverändert mit TRL.</translation>
    </message>
    <message>
        <source>Your models ranked by your arena votes: a Bradley–Terry fit, as Chatbot Arena computes it (1000 is average; 400 points apart means 10:1 odds of winning). A tie counts half a win each; the 95% intervals come from resampling the votes.</source>
        <translation>Ihre Modelle, geordnet nach Ihren Arena-Stimmen: ein Bradley-Terry-Fit, wie ihn Chatbot Arena berechnet (1000 ist der Durchschnitt; 400 Punkte Abstand bedeuten 10:1-Siegchancen). Ein Unentschieden zählt für beide als halber Sieg; die 95-%-Intervalle stammen aus dem Neuziehen der Stimmen.</translation>
    </message>
    <message>
        <source>No arena votes yet: compare two models and vote for the better answer.</source>
        <translation>Noch keine Arena-Stimmen: Vergleichen Sie zwei Modelle und stimmen Sie für die bessere Antwort.</translation>
    </message>
    <message>
        <source>Your rewrite</source>
        <translation>Ihre Neufassung</translation>
    </message>
    <message>
        <source>Best pick</source>
        <translation>Beste Wahl</translation>
    </message>
    <message>
        <source>Ranking</source>
        <translation>Rangfolge</translation>
    </message>
    <message>
        <source>Arena vote</source>
        <translation>Arena-Stimme</translation>
    </message>
    <message>
        <source>TRL preference (DPO/reward)…</source>
        <translation>TRL-Präferenz (DPO/Reward)…</translation>
    </message>
    <message>
        <source>Wrote {n} preference pairs to {path}.</source>
        <translation>{n} Präferenzpaare nach {path} geschrieben.</translation>
    </message>
    <message>
        <source>KTO (thumbs)…</source>
        <translation>KTO (Daumen)…</translation>
    </message>
    <message>
        <source>Wrote {n} rated answers to {path}.</source>
        <translation>{n} bewertete Antworten nach {path} geschrieben.</translation>
    </message>
    <message>
        <source>Arena battle log…</source>
        <translation>Arena-Duellprotokoll…</translation>
    </message>
    <message>
        <source>Wrote {n} battles to {path}.</source>
        <translation>{n} Duelle nach {path} geschrieben.</translation>
    </message>
    <message>
        <source>{n} thumb ({good} good / {bad} bad)</source>
        <translation>{n} Daumen ({good} gut / {bad} schlecht)</translation>
    </message>
    <message>
        <source>{n} thumbs ({good} good / {bad} bad)</source>
        <translation>{n} Daumen ({good} gut / {bad} schlecht)</translation>
    </message>
    <message>
        <source>{n} arena vote</source>
        <translation>{n} Arena-Stimme</translation>
    </message>
    <message>
        <source>{n} arena votes</source>
        <translation>{n} Arena-Stimmen</translation>
    </message>
    <message>
        <source>{n} tie</source>
        <translation>{n} Unentschieden</translation>
    </message>
    <message>
        <source>{n} ties</source>
        <translation>{n} Unentschieden</translation>
    </message>
    <message>
        <source>{n} both bad</source>
        <translation>{n} beide schlecht</translation>
    </message>
    <message>
        <source>{n} preference pair</source>
        <translation>{n} Präferenzpaar</translation>
    </message>
    <message>
        <source>{n} preference pairs</source>
        <translation>{n} Präferenzpaare</translation>
    </message>
    <message>
        <source>{n} rewrite</source>
        <translation>{n} Neufassung</translation>
    </message>
    <message>
        <source>{n} rewrites</source>
        <translation>{n} Neufassungen</translation>
    </message>
    <message>
        <source>{n} best pick</source>
        <translation>{n} beste Wahl</translation>
    </message>
    <message>
        <source>{n} best picks</source>
        <translation>{n} beste Wahlen</translation>
    </message>
    <message>
        <source>{n} ranking</source>
        <translation>{n} Rangfolge</translation>
    </message>
    <message>
        <source>{n} rankings</source>
        <translation>{n} Rangfolgen</translation>
    </message>
    <message>
        <source>Include reasoning</source>
        <translation>Denkprozess einschließen</translation>
    </message>
    <message>
        <source>Add reasoning models&apos; reasoning in columns of its own; the answers never hold it</source>
        <translation>Den Denkprozess von Reasoning-Modellen in eigenen Spalten hinzufügen; die Antworten enthalten ihn nie</translation>
    </message>
    <message>
        <source>Data set</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Reading your ratings…</source>
        <translation>Ihre Bewertungen werden gelesen…</translation>
    </message>
    <message>
        <source>Export as JSONL:</source>
        <translation>Als JSONL exportieren:</translation>
    </message>
    <message>
        <source>Share…</source>
        <translation>Teilen…</translation>
    </message>
    <message>
        <source>Save the data set as a folder with its card, or share it on Hugging Face</source>
        <translation>Den Datensatz als Ordner mit seiner Karte speichern oder auf Hugging Face teilen</translation>
    </message>
    <message>
        <source>Delete pair…</source>
        <translation>Paar löschen…</translation>
    </message>
    <message>
        <source>Take back the rating that made this pair</source>
        <translation>Die Bewertung zurücknehmen, aus der dieses Paar entstand</translation>
    </message>
    <message>
        <source>Preference pairs, newest first</source>
        <translation>Präferenzpaare, neueste zuerst</translation>
    </message>
    <message>
        <source>Leaderboard</source>
        <translation>Rangliste</translation>
    </message>
    <message>
        <source>Write {n} row to a JSONL file you choose</source>
        <translation>{n} Zeile in eine JSONL-Datei Ihrer Wahl schreiben</translation>
    </message>
    <message>
        <source>Write {n} rows to a JSONL file you choose</source>
        <translation>{n} Zeilen in eine JSONL-Datei Ihrer Wahl schreiben</translation>
    </message>
    <message>
        <source>No preference pairs yet. Pairs come from a better answer you write for a Bad one, a pick of the best of several answers, a ranking, or an arena vote.</source>
        <translation>Noch keine Präferenzpaare. Paare entstehen aus einer besseren Antwort, die Sie zu einer schlechten schreiben, aus der Wahl der besten von mehreren Antworten, aus einer Rangfolge oder aus einer Arena-Stimme.</translation>
    </message>
    <message>
        <source>Delete pair</source>
        <translation>Paar löschen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Delete the better answer you wrote? Your Bad rating of the original answer stays, with its reasons.</source>
        <translation>Die bessere Antwort löschen, die Sie geschrieben haben? Ihre Schlecht-Bewertung der ursprünglichen Antwort bleibt mit ihren Gründen erhalten.</translation>
    </message>
    <message>
        <source>Delete this arena vote? It also leaves the leaderboard.</source>
        <translation>Diese Arena-Stimme löschen? Sie verschwindet auch aus der Rangliste.</translation>
    </message>
    <message>
        <source>This removes your whole pick of the best answer to this prompt: {n} pair in all. The answers themselves stay.</source>
        <translation>Damit wird Ihre gesamte Wahl der besten Antwort auf diesen Prompt entfernt: insgesamt {n} Paar. Die Antworten selbst bleiben.</translation>
    </message>
    <message>
        <source>This removes your whole pick of the best answer to this prompt: {n} pairs in all. The answers themselves stay.</source>
        <translation>Damit wird Ihre gesamte Wahl der besten Antwort auf diesen Prompt entfernt: insgesamt {n} Paare. Die Antworten selbst bleiben.</translation>
    </message>
    <message>
        <source>This removes your whole ranking of the answers to this prompt: {n} pair in all. The answers themselves stay.</source>
        <translation>Damit wird Ihre gesamte Rangfolge der Antworten auf diesen Prompt entfernt: insgesamt {n} Paar. Die Antworten selbst bleiben.</translation>
    </message>
    <message>
        <source>This removes your whole ranking of the answers to this prompt: {n} pairs in all. The answers themselves stay.</source>
        <translation>Damit wird Ihre gesamte Rangfolge der Antworten auf diesen Prompt entfernt: insgesamt {n} Paare. Die Antworten selbst bleiben.</translation>
    </message>
    <message>
        <source>Export {format}</source>
        <translation>{format} exportieren</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl);;All files (*)</source>
        <translation>JSON Lines (*.jsonl);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Exporting to {path}…</source>
        <translation>Export nach {path}…</translation>
    </message>
    <message>
        <source>Wrote an empty file to {path}.</source>
        <translation>Eine leere Datei nach {path} geschrieben.</translation>
    </message>
    <message>
        <source>Export failed. {error}</source>
        <translation>Export fehlgeschlagen. {error}</translation>
    </message>
</context>
<context>
    <name>DownloadRow</name>
    <message>
        <source>Pause</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Chat now</source>
        <translation>Jetzt chatten</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Erneut versuchen</translation>
    </message>
</context>
<context>
    <name>DownloadsPanel</name>
    <message>
        <source>No downloads yet: pick a model above and press Download.</source>
        <translation>Noch keine Downloads: Wählen Sie oben ein Modell und klicken Sie auf „Herunterladen“.</translation>
    </message>
</context>
<context>
    <name>DuelPanel</name>
    <message>
        <source>The first level of the duel (the reference, to start with)</source>
        <translation>Die erste Stufe des Duells (anfangs die Referenz)</translation>
    </message>
    <message>
        <source>The level it duels against</source>
        <translation>Die Stufe, gegen die sie antritt</translation>
    </message>
    <message>
        <source>A prompt of your own; both levels answer it with the same seed and sampler.</source>
        <translation>Ein eigener Prompt; beide Stufen beantworten ihn mit demselben Seed und Sampler.</translation>
    </message>
    <message>
        <source>Duel</source>
        <translation>Duell</translation>
    </message>
    <message>
        <source>Answer {side}</source>
        <translation>Antwort {side}</translation>
    </message>
    <message>
        <source>Levels</source>
        <translation>Stufen</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>gegen</translation>
    </message>
    <message>
        <source>temp</source>
        <translation>Temp.</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>Vote saved; the win rate counts it. Change it, or duel the next prompt.</source>
        <translation>Stimme gespeichert; die Gewinnrate zählt sie. Ändern Sie sie oder starten Sie das Duell mit dem nächsten Prompt.</translation>
    </message>
    <message>
        <source>Vote saved; the win rate counts only held-out prompts, which this was not.</source>
        <translation>Stimme gespeichert; die Gewinnrate zählt nur zurückgehaltene Prompts, und dieser war keiner.</translation>
    </message>
    <message>
        <source>From your chats</source>
        <translation>Aus Ihren Chats</translation>
    </message>
    <message>
        <source>The original</source>
        <translation>Das Original</translation>
    </message>
    <message>
        <source>Tuned</source>
        <translation>Angepasst</translation>
    </message>
    <message>
        <source>Held-out prompts</source>
        <translation>Zurückgehaltene Prompts</translation>
    </message>
    <message>
        <source>(pick a prompt)</source>
        <translation>(Prompt wählen)</translation>
    </message>
    <message>
        <source>Put two levels of one model in the models folder first.</source>
        <translation>Legen Sie zuerst zwei Stufen eines Modells in den Modellordner.</translation>
    </message>
    <message>
        <source>Both answers are in. Which is better?</source>
        <translation>Beide Antworten sind da. Welche ist besser?</translation>
    </message>
    <message>
        <source>Answer {side}: {level}</source>
        <translation>Antwort {side}: {level}</translation>
    </message>
    <message>
        <source>Vote saved; the curve counts it. Change it, or duel again.</source>
        <translation>Stimme gespeichert; die Kurve zählt sie. Ändern Sie sie oder starten Sie ein neues Duell.</translation>
    </message>
</context>
<context>
    <name>ErrorReporter</name>
    <message>
        <source>Open the log folder</source>
        <translation>Protokollordner öffnen</translation>
    </message>
    <message>
        <source>Something went wrong: {sentence} The details are in the log.</source>
        <translation>Etwas ist schiefgegangen: {sentence} Die Einzelheiten stehen im Protokoll.</translation>
    </message>
</context>
<context>
    <name>FeedbackDialog</name>
    <message>
        <source>helpful</source>
        <translation>hilfreich</translation>
    </message>
    <message>
        <source>correct</source>
        <translation>richtig</translation>
    </message>
    <message>
        <source>concise</source>
        <translation>knapp</translation>
    </message>
    <message>
        <source>creative</source>
        <translation>kreativ</translation>
    </message>
    <message>
        <source>wrong</source>
        <translation>falsch</translation>
    </message>
    <message>
        <source>unsafe</source>
        <translation>bedenklich</translation>
    </message>
    <message>
        <source>off-topic</source>
        <translation>am Thema vorbei</translation>
    </message>
    <message>
        <source>too long</source>
        <translation>zu lang</translation>
    </message>
    <message>
        <source>incomplete</source>
        <translation>unvollständig</translation>
    </message>
    <message>
        <source>Feedback on this answer</source>
        <translation>Rückmeldung zu dieser Antwort</translation>
    </message>
    <message>
        <source>What makes this answer good? Everything here is optional.</source>
        <translation>Was macht diese Antwort gut? Alle Angaben sind freiwillig.</translation>
    </message>
    <message>
        <source>What makes this answer not good? Everything here is optional.</source>
        <translation>Was macht diese Antwort nicht gut? Alle Angaben sind freiwillig.</translation>
    </message>
    <message>
        <source>A comment (optional)</source>
        <translation>Ein Kommentar (optional)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Write a better answer&lt;/b&gt; (optional): edit the text below. Your version is saved as the preferred answer, the original as the rejected one.</source>
        <translation>&lt;b&gt;Schreiben Sie eine bessere Antwort&lt;/b&gt; (optional): Bearbeiten Sie den Text unten. Ihre Fassung wird als bevorzugte Antwort gespeichert, das Original als abgelehnte.</translation>
    </message>
</context>
<context>
    <name>JobDialog</name>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
</context>
<context>
    <name>LanguageMenu</name>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Takes effect when LlamaDesk restarts</source>
        <translation>Gilt nach einem Neustart von LlamaDesk</translation>
    </message>
    <message>
        <source>The language changes when LlamaDesk restarts.</source>
        <translation>Die Sprache wechselt beim nächsten Start von LlamaDesk.</translation>
    </message>
</context>
<context>
    <name>LeaderboardTable</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Rating</source>
        <translation>Wertung</translation>
    </message>
    <message>
        <source>95% interval</source>
        <translation>95-%-Intervall</translation>
    </message>
    <message>
        <source>Battles</source>
        <translation>Duelle</translation>
    </message>
    <message>
        <source>W / T / L</source>
        <translation>S / U / N</translation>
    </message>
</context>
<context>
    <name>LibraryPanel</name>
    <message>
        <source>time left unknown</source>
        <translation>Restzeit unbekannt</translation>
    </message>
    <message>
        <source>{n:.0f} s left</source>
        <translation>noch {n:.0f} s</translation>
    </message>
    <message>
        <source>{n:.0f} min left</source>
        <translation>noch {n:.0f} min</translation>
    </message>
    <message>
        <source>{n:.1f} h left</source>
        <translation>noch {n:.1f} h</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>in der Warteschlange</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>pausiert</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>{done} of {total}  ·  {speed}  ·  {left}</source>
        <translation>{done} von {total}  ·  {speed}  ·  {left}</translation>
    </message>
    <message>
        <source>{total}  ·  verified (sha256) and ready</source>
        <translation>{total}  ·  geprüft (sha256) und bereit</translation>
    </message>
    <message>
        <source>{done} of {total}  ·  {state}</source>
        <translation>{done} von {total}  ·  {state}</translation>
    </message>
    <message>
        <source>Models on this computer</source>
        <translation>Modelle auf diesem Computer</translation>
    </message>
    <message>
        <source>Chat with it</source>
        <translation>Damit chatten</translation>
    </message>
    <message>
        <source>Import GGUF…</source>
        <translation>GGUF importieren…</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>Löschen…</translation>
    </message>
    <message>
        <source>Quantize…</source>
        <translation>Quantisieren…</translation>
    </message>
    <message>
        <source>Make a smaller quantization of this model</source>
        <translation>Eine kleinere Quantisierung dieses Modells erzeugen</translation>
    </message>
    <message>
        <source>Measure quality…</source>
        <translation>Qualität messen…</translation>
    </message>
    <message>
        <source>Compare this model&apos;s predictions with another&apos;s (usually its source) on a text</source>
        <translation>Die Vorhersagen dieses Modells an einem Text mit denen eines anderen vergleichen (meist seiner Quelle)</translation>
    </message>
    <message>
        <source>Teach…</source>
        <translation>Beibringen…</translation>
    </message>
    <message>
        <source>Teach this model your preferences from your ratings</source>
        <translation>Diesem Modell Ihre Vorlieben aus Ihren Bewertungen beibringen</translation>
    </message>
</context>
<context>
    <name>LibraryTable</name>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>Kontext</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Herkunft</translation>
    </message>
</context>
<context>
    <name>LoadForm</name>
    <message>
        <source>Auto: as many as fit</source>
        <translation>Automatisch: so viele wie passen</translation>
    </message>
    <message>
        <source>None (CPU)</source>
        <translation>Keine (CPU)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>This many layers:</source>
        <translation>So viele Schichten:</translation>
    </message>
    <message>
        <source>{label} (tokens)</source>
        <translation>{label} (Token)</translation>
    </message>
    <message>
        <source>Longer than the {n} tokens this model was trained on: answers past that point often lose the thread.</source>
        <translation>Länger als die {n} Token, mit denen dieses Modell trainiert wurde: Antworten jenseits davon verlieren oft den Faden.</translation>
    </message>
</context>
<context>
    <name>LoadWarning</name>
    <message>
        <source>This model may not fit in memory</source>
        <translation>Dieses Modell passt womöglich nicht in den Speicher</translation>
    </message>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt; needs more memory than this computer has.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; braucht mehr Speicher, als dieser Computer hat.</translation>
    </message>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt; may not fit in the memory free now.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; passt womöglich nicht in den derzeit freien Speicher.</translation>
    </message>
    <message>
        <source>Load with a {n:,}-token context</source>
        <translation>Mit {n:,} Token Kontext laden</translation>
    </message>
    <message>
        <source>Load anyway</source>
        <translation>Trotzdem laden</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>Data set</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Arena</source>
        <translation>Arena</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportieren</translation>
    </message>
    <message>
        <source>Open a GGUF model</source>
        <translation>GGUF-Modell öffnen</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>writing…  {line}</source>
        <translation>schreibt…  {line}</translation>
    </message>
    <message>
        <source>The model you used last time is gone ({path}). Pick another one.</source>
        <translation>Das zuletzt verwendete Modell ist nicht mehr da ({path}). Wählen Sie ein anderes.</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <source>Checking {name}…</source>
        <translation>{name} wird geprüft…</translation>
    </message>
    <message>
        <source>Loading {name}…</source>
        <translation>{name} wird geladen…</translation>
    </message>
    <message>
        <source>{name}  ·  remote, on {server}</source>
        <translation>{name}  ·  entfernt, auf {server}</translation>
    </message>
    <message>
        <source>{name}  ·  {quantization}  ·  ctx {n_ctx}</source>
        <translation>{name}  ·  {quantization}  ·  Kontext {n_ctx}</translation>
    </message>
    <message>
        <source>{tokens} tokens  ·  {speed:.1f} tokens/s</source>
        <translation>{tokens} Token  ·  {speed:.1f} Token/s</translation>
    </message>
    <message>
        <source>{speed:.1f} tokens/s  ·  {ttft:.0f} ms to first token</source>
        <translation>{speed:.1f} Token/s  ·  {ttft:.0f} ms bis zum ersten Token</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <source>Network · serving</source>
        <translation>Netzwerk · Server läuft</translation>
    </message>
</context>
<context>
    <name>Memory</name>
    <message>
        <source>Fits comfortably</source>
        <translation>Passt bequem</translation>
    </message>
    <message>
        <source>Tight fit</source>
        <translation>Knapp</translation>
    </message>
    <message>
        <source>Too big for this computer</source>
        <translation>Zu groß für diesen Computer</translation>
    </message>
</context>
<context>
    <name>MemoryChart</name>
    <message>
        <source>seconds ago</source>
        <translation>Sekunden zuvor</translation>
    </message>
    <message>
        <source>GB</source>
        <translation>GB</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:{app}&apos;&gt;■&lt;/span&gt; this app   &lt;span style=&apos;color:{system}&apos;&gt;■&lt;/span&gt; whole system (last 5 minutes)</source>
        <translation>&lt;span style=&apos;color:{app}&apos;&gt;■&lt;/span&gt; diese App   &lt;span style=&apos;color:{system}&apos;&gt;■&lt;/span&gt; ganzes System (letzte 5 Minuten)</translation>
    </message>
</context>
<context>
    <name>MemoryPanel</name>
    <message>
        <source>This app</source>
        <translation>Diese App</translation>
    </message>
    <message>
        <source>Model weights</source>
        <translation>Modellgewichte</translation>
    </message>
    <message>
        <source>  of which in RAM</source>
        <translation>  davon im RAM</translation>
    </message>
    <message>
        <source>KV cache</source>
        <translation>KV-Cache</translation>
    </message>
    <message>
        <source>Compute buffers</source>
        <translation>Rechenpuffer</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>runs remotely, on {server}</source>
        <translation>läuft entfernt, auf {server}</translation>
    </message>
    <message>
        <source>no model loaded</source>
        <translation>kein Modell geladen</translation>
    </message>
    <message>
        <source>{size} file</source>
        <translation>{size} Datei</translation>
    </message>
    <message>
        <source>{size} at {n_ctx:,} tokens</source>
        <translation>{size} bei {n_ctx:,} Token</translation>
    </message>
    <message>
        <source>unknown (see the log)</source>
        <translation>unbekannt (siehe Protokoll)</translation>
    </message>
    <message>
        <source>{used} used, {free} free of {total}</source>
        <translation>{used} belegt, {free} frei von {total}</translation>
    </message>
    <message>
        <source>none (a CPU build of llama.cpp)</source>
        <translation>keine (ein CPU-Build von llama.cpp)</translation>
    </message>
    <message>
        <source>{backend} (shares system memory)</source>
        <translation>{backend} (teilt den Systemspeicher)</translation>
    </message>
    <message>
        <source>{backend}: {size} free</source>
        <translation>{backend}: {size} frei</translation>
    </message>
</context>
<context>
    <name>MessageBubble</name>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Demo model (random weights: it babbles)</source>
        <translation>Demomodell (Zufallsgewichte: es plappert)</translation>
    </message>
    <message>
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
    </message>
    <message>
        <source>{model}  (remote)</source>
        <translation>{model}  (entfernt)</translation>
    </message>
    <message>
        <source>{model} on {url}</source>
        <translation>{model} auf {url}</translation>
    </message>
    <message>
        <source>Open GGUF file…</source>
        <translation>GGUF-Datei öffnen…</translation>
    </message>
</context>
<context>
    <name>ModelsView</name>
    <message>
        <source>★ Recommended for this computer</source>
        <translation>★ Empfohlen für diesen Computer</translation>
    </message>
    <message>
        <source>measuring this computer…</source>
        <translation>dieser Computer wird vermessen…</translation>
    </message>
    <message>
        <source>thinks before answering</source>
        <translation>denkt vor dem Antworten nach</translation>
    </message>
    <message>
        <source>reasons before answering (low/medium/high)</source>
        <translation>denkt vor dem Antworten nach (niedrig/mittel/hoch)</translation>
    </message>
    <message>
        <source>can think before answering</source>
        <translation>kann vor dem Antworten nachdenken</translation>
    </message>
    <message>
        <source>({n} active)</source>
        <translation>({n} aktiv)</translation>
    </message>
    <message>
        <source>Pick a model</source>
        <translation>Modell wählen</translation>
    </message>
    <message>
        <source>{n:,} tokens</source>
        <translation>{n:,} Token</translation>
    </message>
    <message>
        <source>Hover over a variant, or select it, for how its fit is worked out.</source>
        <translation>Zeigen Sie auf eine Variante oder wählen Sie sie aus, um zu sehen, wie ihre Passung berechnet wird.</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Herunterladen</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Bibliothek</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>{n} parameters</source>
        <translation>{n} Parameter</translation>
    </message>
    <message>
        <source>up to {n:,} tokens of context</source>
        <translation>bis zu {n:,} Token Kontext</translation>
    </message>
    <message>
        <source>reads images</source>
        <translation>liest Bilder</translation>
    </message>
    <message>
        <source>gated: needs a Hugging Face login</source>
        <translation>zugangsbeschränkt: braucht eine Hugging-Face-Anmeldung</translation>
    </message>
    <message>
        <source>No model in the catalog fits this computer&apos;s free memory comfortably.</source>
        <translation>Kein Modell im Katalog passt bequem in den freien Speicher dieses Computers.</translation>
    </message>
    <message>
        <source>Not in the catalog: the fit counts the file only, not the memory its context takes, which LlamaDesk learns once the file is here.</source>
        <translation>Nicht im Katalog: Die Passung zählt nur die Datei, nicht den Speicher für ihren Kontext; den erfährt LlamaDesk, sobald die Datei da ist.</translation>
    </message>
    <message>
        <source>Listing {repo}…</source>
        <translation>{repo} wird aufgelistet…</translation>
    </message>
    <message>
        <source>This repository has no GGUF files LlamaDesk can use.</source>
        <translation>Dieses Repository hat keine GGUF-Dateien, die LlamaDesk nutzen kann.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Estimates&lt;/b&gt;: {reason} Until the real list arrives, sizes are worked out as parameters × bits per weight ÷ 8, and fit and speed from those.</source>
        <translation>&lt;b&gt;Schätzungen&lt;/b&gt;: {reason} Bis die echte Liste eintrifft, werden die Größen als Parameter × Bits pro Gewicht ÷ 8 berechnet, Passung und Geschwindigkeit daraus.</translation>
    </message>
    <message>
        <source>{n} variant</source>
        <translation>{n} Variante</translation>
    </message>
    <message>
        <source>{n} variants</source>
        <translation>{n} Varianten</translation>
    </message>
    <message>
        <source>none fits this computer comfortably at this context length</source>
        <translation>keine passt bei dieser Kontextlänge bequem auf diesen Computer</translation>
    </message>
    <message>
        <source>Download {variant}</source>
        <translation>{variant} herunterladen</translation>
    </message>
    <message>
        <source>Library ({n})</source>
        <translation>Bibliothek ({n})</translation>
    </message>
    <message>
        <source>Import a GGUF model</source>
        <translation>GGUF-Modell importieren</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF-Modelle (*.gguf);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Import a model</source>
        <translation>Modell importieren</translation>
    </message>
    <message>
        <source>Copy the file into LlamaDesk&apos;s models folder, or link to it where it is? A link takes no space, but the model is gone if the file is moved.</source>
        <translation>Die Datei in den Modellordner von LlamaDesk kopieren oder an ihrem Ort verknüpfen? Eine Verknüpfung braucht keinen Platz, aber das Modell ist weg, wenn die Datei verschoben wird.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Verknüpfen</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>{name} wird importiert…</translation>
    </message>
    <message>
        <source>Imported {name}.</source>
        <translation>{name} importiert.</translation>
    </message>
    <message>
        <source>Delete {name} ({size}) from the disk? This cannot be undone.</source>
        <translation>{name} ({size}) von der Festplatte löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete {name} from the disk? This cannot be undone.</source>
        <translation>{name} von der Festplatte löschen? Das lässt sich nicht rückgängig machen.</translation>
    </message>
    <message>
        <source>Delete the model?</source>
        <translation>Modell löschen?</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>NetworkPanel</name>
    <message>
        <source>{tokens} tokens, waited {waited:.0f} ms, {total:.1f} s</source>
        <translation>{tokens} Token, {waited:.0f} ms gewartet, {total:.1f} s</translation>
    </message>
    <message>
        <source>Serve the loaded model (OpenAI-compatible API)</source>
        <translation>Das geladene Modell bereitstellen (OpenAI-kompatible API)</translation>
    </message>
    <message>
        <source>Start server</source>
        <translation>Server starten</translation>
    </message>
    <message>
        <source>0 picks any free port</source>
        <translation>0 wählt einen freien Port</translation>
    </message>
    <message>
        <source>Let other computers connect (needs an API key)</source>
        <translation>Andere Computer verbinden lassen (braucht einen API-Schlüssel)</translation>
    </message>
    <message>
        <source>optional on this computer</source>
        <translation>auf diesem Computer optional</translation>
    </message>
    <message>
        <source>not serving</source>
        <translation>nicht aktiv</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>API key</source>
        <translation>API-Schlüssel</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>Anfragen</translation>
    </message>
    <message>
        <source>Requests wait their turn behind your chat. Point any OpenAI client here.</source>
        <translation>Anfragen warten hinter Ihrem Chat, bis sie an der Reihe sind. Richten Sie einen beliebigen OpenAI-Client hierauf.</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>Server stoppen</translation>
    </message>
    <message>
        <source>Connections: models on other servers</source>
        <translation>Verbindungen: Modelle auf anderen Servern</translation>
    </message>
    <message>
        <source>http://gpu-box:8080/v1</source>
        <translation>http://gpu-box:8080/v1</translation>
    </message>
    <message>
        <source>API key, if the server wants one</source>
        <translation>API-Schlüssel, falls der Server einen verlangt</translation>
    </message>
    <message>
        <source>Kept in the OS keyring where there is one, else in a file only you may read; never in the settings</source>
        <translation>Im Schlüsselbund des Systems, wo es einen gibt, sonst in einer Datei, die nur Sie lesen dürfen; nie in den Einstellungen</translation>
    </message>
    <message>
        <source>Add server</source>
        <translation>Server hinzufügen</translation>
    </message>
    <message>
        <source>Chat with this model</source>
        <translation>Mit diesem Modell chatten</translation>
    </message>
    <message>
        <source>Remove server</source>
        <translation>Server entfernen</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Asking the server for its models…</source>
        <translation>Der Server wird nach seinen Modellen gefragt…</translation>
    </message>
    <message>
        <source>can be the reference when you measure a local model&apos;s quality</source>
        <translation>kann Referenz sein, wenn Sie die Qualität eines lokalen Modells messen</translation>
    </message>
    <message>
        <source>not a quality reference: {why}</source>
        <translation>keine Qualitätsreferenz: {why}</translation>
    </message>
    <message>
        <source>{model}
    remote · {url}</source>
        <translation>{model}
    entfernt · {url}</translation>
    </message>
    <message>
        <source>{model} on {url}; {reference}.</source>
        <translation>{model} auf {url}; {reference}.</translation>
    </message>
    <message>
        <source>{n} remote model: double-click it to chat with it.</source>
        <translation>{n} entferntes Modell: Doppelklicken Sie darauf, um damit zu chatten.</translation>
    </message>
    <message>
        <source>{n} remote models: double-click one to chat with it.</source>
        <translation>{n} entfernte Modelle: Doppelklicken Sie auf eines, um damit zu chatten.</translation>
    </message>
    <message>
        <source>Add a server (llama-server, vLLM, Ollama…) to chat with its models.</source>
        <translation>Fügen Sie einen Server hinzu (llama-server, vLLM, Ollama…), um mit seinen Modellen zu chatten.</translation>
    </message>
    <message>
        <source>Its API key is kept in {place}.</source>
        <translation>Sein API-Schlüssel liegt in: {place}.</translation>
    </message>
    <message>
        <source>Serve the model to other programs; chat with models on other servers</source>
        <translation>Das Modell anderen Programmen bereitstellen; mit Modellen auf anderen Servern chatten</translation>
    </message>
    <message>
        <source>The model is busy: wait a moment, then pick it again.</source>
        <translation>Das Modell ist beschäftigt: Warten Sie einen Moment und wählen Sie es dann erneut.</translation>
    </message>
</context>
<context>
    <name>Options</name>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>How adventurous the word choice is: 0 always takes the likeliest word.</source>
        <translation>Wie abenteuerlustig die Wortwahl ist: 0 nimmt immer das wahrscheinlichste Wort.</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Pick only among the likeliest words that together make up this share.</source>
        <translation>Nur unter den wahrscheinlichsten Wörtern wählen, die zusammen diesen Anteil ausmachen.</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Pick only among this many likeliest words.</source>
        <translation>Nur unter so vielen der wahrscheinlichsten Wörter wählen.</translation>
    </message>
    <message>
        <source>off</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Drop words less likely than this share of the likeliest one.</source>
        <translation>Wörter verwerfen, die weniger wahrscheinlich sind als dieser Anteil des wahrscheinlichsten.</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Above 1, words already used become less likely.</source>
        <translation>Über 1 werden schon verwendete Wörter unwahrscheinlicher.</translation>
    </message>
    <message>
        <source>Max tokens per answer</source>
        <translation>Max. Token pro Antwort</translation>
    </message>
    <message>
        <source>The answer stops after this many tokens.</source>
        <translation>Die Antwort endet nach so vielen Token.</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>The same seed, settings and prompt give the same answer; random picks a new one each time and records it.</source>
        <translation>Gleicher Seed, gleiche Einstellungen und gleicher Prompt ergeben dieselbe Antwort; „zufällig“ wählt jedes Mal einen neuen und merkt ihn sich.</translation>
    </message>
    <message>
        <source>random</source>
        <translation>zufällig</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Farbschema</translation>
    </message>
    <message>
        <source>Light, dark, or as the system is set (it follows the system&apos;s changes live).</source>
        <translation>Hell, dunkel oder wie im System eingestellt (folgt Änderungen des Systems sofort).</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The language of the app: the system&apos;s, or one chosen; used from the next start.</source>
        <translation>Die Sprache der App: die des Systems oder eine gewählte; gilt ab dem nächsten Start.</translation>
    </message>
    <message>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <source>How many tokens of conversation the model can see at once; longer needs more memory.</source>
        <translation>Wie viele Token der Unterhaltung das Modell auf einmal sieht; länger braucht mehr Speicher.</translation>
    </message>
    <message>
        <source>the model&apos;s own, up to 4096</source>
        <translation>die des Modells, bis 4096</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>Threads llama.cpp computes with.</source>
        <translation>Threads, mit denen llama.cpp rechnet.</translation>
    </message>
    <message>
        <source>one per core</source>
        <translation>einer pro Kern</translation>
    </message>
    <message>
        <source>GPU layers</source>
        <translation>GPU-Schichten</translation>
    </message>
    <message>
        <source>Layers computed on the GPU; the rest run on the CPU. CPU builds ignore it.</source>
        <translation>Auf der GPU berechnete Schichten; der Rest läuft auf der CPU. CPU-Builds ignorieren das.</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <source>Tokens of the prompt processed in one step.</source>
        <translation>Token des Prompts, die in einem Schritt verarbeitet werden.</translation>
    </message>
    <message>
        <source>Flash attention (faster, needs less memory)</source>
        <translation>Flash Attention (schneller, braucht weniger Speicher)</translation>
    </message>
    <message>
        <source>Where the backend has it; a quantized KV cache needs it.</source>
        <translation>Wo das Backend sie hat; ein quantisierter KV-Cache braucht sie.</translation>
    </message>
    <message>
        <source>KV cache type</source>
        <translation>KV-Cache-Typ</translation>
    </message>
    <message>
        <source>The number format of the context&apos;s cache; q8_0 halves its memory.</source>
        <translation>Das Zahlenformat des Kontext-Caches; q8_0 halbiert seinen Speicher.</translation>
    </message>
    <message>
        <source>Memory-map the file (loads faster)</source>
        <translation>Datei per Memory-Map einbinden (lädt schneller)</translation>
    </message>
    <message>
        <source>Map the file instead of reading it; its pages are shared with the system&apos;s cache.</source>
        <translation>Die Datei einbinden statt sie zu lesen; ihre Seiten werden mit dem Cache des Systems geteilt.</translation>
    </message>
    <message>
        <source>Lock in RAM (never swapped out)</source>
        <translation>Im RAM sperren (nie ausgelagert)</translation>
    </message>
    <message>
        <source>Keeps the model in memory even when the system runs short.</source>
        <translation>Hält das Modell im Speicher, auch wenn das System knapp wird.</translation>
    </message>
</context>
<context>
    <name>PairDetails</name>
    <message>
        <source>Select a pair to read its prompt and both answers in full.</source>
        <translation>Wählen Sie ein Paar, um seinen Prompt und beide Antworten vollständig zu lesen.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Prompt:&lt;/b&gt; {prompt}</source>
        <translation>&lt;b&gt;Prompt:&lt;/b&gt; {prompt}</translation>
    </message>
    <message>
        <source>✓ Chosen · {model}</source>
        <translation>✓ Gewählt · {model}</translation>
    </message>
    <message>
        <source>✗ Rejected · {model}</source>
        <translation>✗ Abgelehnt · {model}</translation>
    </message>
</context>
<context>
    <name>PairTableModel</name>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
    <message>
        <source>Chosen</source>
        <translation>Gewählt</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Which rating made the pair</source>
        <translation>Aus welcher Bewertung das Paar entstand</translation>
    </message>
    <message>
        <source>The last thing you said before the answers</source>
        <translation>Das Letzte, was Sie vor den Antworten geschrieben haben</translation>
    </message>
    <message>
        <source>The better answer</source>
        <translation>Die bessere Antwort</translation>
    </message>
    <message>
        <source>The worse answer</source>
        <translation>Die schlechtere Antwort</translation>
    </message>
    <message>
        <source>The chosen answer&apos;s model vs the rejected answer&apos;s model</source>
        <translation>Modell der gewählten gegen Modell der abgelehnten Antwort</translation>
    </message>
    <message>
        <source>When you rated (your local time)</source>
        <translation>Wann Sie bewertet haben (Ihre Ortszeit)</translation>
    </message>
</context>
<context>
    <name>QualityDialog</name>
    <message>
        <source>Date</source>
        <translation>Datum</translation>
    </message>
    <message>
        <source>Against</source>
        <translation>Gegen</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>KL divergence</source>
        <translation>KL-Divergenz</translation>
    </message>
    <message>
        <source>Top-1</source>
        <translation>Top-1</translation>
    </message>
    <message>
        <source>Perplexity</source>
        <translation>Perplexität</translation>
    </message>
    <message>
        <source>Against a model on a server, KL divergence is a top-k estimate: the server returns only its most likely next tokens, so both predictions are compared on those tokens plus one bucket for all the others (the tail). That can only hide differences: the true KL divergence is at least this. The reference&apos;s perplexity is unknown.</source>
        <translation>Gegen ein Modell auf einem Server ist die KL-Divergenz eine Top-k-Schätzung: Der Server liefert nur seine wahrscheinlichsten nächsten Token, daher werden beide Vorhersagen auf diesen Token plus einem Sammelposten für alle übrigen (dem Rest) verglichen. Das kann Unterschiede nur verbergen: Die wahre KL-Divergenz ist mindestens so groß. Die Perplexität der Referenz ist unbekannt.</translation>
    </message>
    <message>
        <source>your conversations</source>
        <translation>Ihren Unterhaltungen</translation>
    </message>
    <message>
        <source>pasted text</source>
        <translation>eingefügtem Text</translation>
    </message>
    <message>
        <source>hard to tell apart</source>
        <translation>kaum zu unterscheiden</translation>
    </message>
    <message>
        <source>close, with small differences</source>
        <translation>ähnlich, mit kleinen Unterschieden</translation>
    </message>
    <message>
        <source>noticeably different</source>
        <translation>merklich verschieden</translation>
    </message>
    <message>
        <source>On this text the two are {verdict}: they pick the same next token {agreement:.0%} of the time (lower KL divergence is better; 0 and 100% mean identical predictions).</source>
        <translation>Auf diesem Text sind die beiden {verdict}: Sie wählen in {agreement:.0%} der Fälle dasselbe nächste Token (niedrigere KL-Divergenz ist besser; 0 und 100 % bedeuten identische Vorhersagen).</translation>
    </message>
    <message>
        <source>Perplexity of {model}</source>
        <translation>Perplexität von {model}</translation>
    </message>
    <message>
        <source>unknown (top-k only)</source>
        <translation>unbekannt (nur Top-k)</translation>
    </message>
    <message>
        <source>Mean KL divergence ({level} estimate)</source>
        <translation>Mittlere KL-Divergenz ({level}-Schätzung)</translation>
    </message>
    <message>
        <source>Mean KL divergence</source>
        <translation>Mittlere KL-Divergenz</translation>
    </message>
    <message>
        <source>Top-1 agreement</source>
        <translation>Top-1-Übereinstimmung</translation>
    </message>
    <message>
        <source>Tokens measured</source>
        <translation>Gemessene Token</translation>
    </message>
    <message>
        <source>Measure the quality of {model}</source>
        <translation>Qualität von {model} messen</translation>
    </message>
    <message>
        <source>How far do &lt;b&gt;{model}&lt;/b&gt;&apos;s predictions stray from another model&apos;s on your kind of text? Compare a quantization with its source to see what the smaller file costs.</source>
        <translation>Wie weit weichen die Vorhersagen von &lt;b&gt;{model}&lt;/b&gt; auf Ihrer Art von Text von denen eines anderen Modells ab? Vergleichen Sie eine Quantisierung mit ihrer Quelle, um zu sehen, was die kleinere Datei kostet.</translation>
    </message>
    <message>
        <source>My conversations</source>
        <translation>Meine Unterhaltungen</translation>
    </message>
    <message>
        <source>A file…</source>
        <translation>Eine Datei…</translation>
    </message>
    <message>
        <source>Paste text</source>
        <translation>Text einfügen</translation>
    </message>
    <message>
        <source>Paste a text of a few paragraphs or more here.</source>
        <translation>Fügen Sie hier einen Text von einigen Absätzen oder mehr ein.</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Messgröße</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Messen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Compare with</source>
        <translation>Vergleichen mit</translation>
    </message>
    <message>
        <source>On</source>
        <translation>Messen an</translation>
    </message>
    <message>
        <source>Measurements of this model</source>
        <translation>Messungen dieses Modells</translation>
    </message>
    <message>
        <source>{model} (its source)</source>
        <translation>{model} (seine Quelle)</translation>
    </message>
    <message>
        <source>{model} (itself: a check)</source>
        <translation>{model} (es selbst: eine Kontrolle)</translation>
    </message>
    <message>
        <source>{model} (remote)</source>
        <translation>{model} (entfernt)</translation>
    </message>
    <message>
        <source>Not offered as references: {models}: {why}.</source>
        <translation>Nicht als Referenz angeboten: {models}: {why}.</translation>
    </message>
    <message>
        <source>Measure on a text file</source>
        <translation>An einer Textdatei messen</translation>
    </message>
    <message>
        <source>Text (*.txt *.md);;All files (*)</source>
        <translation>Text (*.txt *.md);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Measuring… (one request to the server per token)</source>
        <translation>Messung läuft… (eine Anfrage an den Server pro Token)</translation>
    </message>
    <message>
        <source>Measuring… (both models are loaded at once)</source>
        <translation>Messung läuft… (beide Modelle sind gleichzeitig geladen)</translation>
    </message>
    <message>
        <source>Measured on {text} in {seconds:.1f} s.</source>
        <translation>Gemessen an {text} in {seconds:.1f} s.</translation>
    </message>
    <message>
        <source>{model:.2f} vs {reference:.2f}</source>
        <translation>{model:.2f} gegen {reference:.2f}</translation>
    </message>
</context>
<context>
    <name>QuantizeDialog</name>
    <message>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <source>Quality cost</source>
        <translation>Qualitätskosten</translation>
    </message>
    <message>
        <source>requantized from {source}: it cannot be better than its source</source>
        <translation>requantisiert aus {source}: kann nicht besser sein als seine Quelle</translation>
    </message>
    <message>
        <source>Saved as</source>
        <translation>Gespeichert als</translation>
    </message>
    <message>
        <source>Expected size</source>
        <translation>Erwartete Größe</translation>
    </message>
    <message>
        <source>about {size}</source>
        <translation>etwa {size}</translation>
    </message>
    <message>
        <source>Bits per weight</source>
        <translation>Bits pro Gewicht</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>Auf diesem Computer</translation>
    </message>
    <message>
        <source>&lt;b&gt;{verdict}&lt;/b&gt; at {n_ctx:,} tokens of context</source>
        <translation>&lt;b&gt;{verdict}&lt;/b&gt; bei {n_ctx:,} Token Kontext</translation>
    </message>
    <message>
        <source>Free disk</source>
        <translation>Freier Speicherplatz</translation>
    </message>
    <message>
        <source>{size} in {folder}</source>
        <translation>{size} in {folder}</translation>
    </message>
    <message>
        <source>Quantize {model}</source>
        <translation>{model} quantisieren</translation>
    </message>
    <message>
        <source>I understand; quantize the quantized file anyway</source>
        <translation>Verstanden; die quantisierte Datei trotzdem quantisieren</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>&lt;b&gt;{model}&lt;/b&gt; is stored as {quantization} ({size}). Pick a level: the result is written beside it, and the original is kept.</source>
        <translation>&lt;b&gt;{model}&lt;/b&gt; ist als {quantization} gespeichert ({size}). Wählen Sie eine Stufe: Das Ergebnis wird daneben geschrieben, das Original bleibt erhalten.</translation>
    </message>
    <message>
        <source>LlamaDesk cannot quantize from {quantization}; use an F32, F16, BF16 or Q8_0 file.</source>
        <translation>LlamaDesk kann nicht aus {quantization} quantisieren; verwenden Sie eine F32-, F16-, BF16- oder Q8_0-Datei.</translation>
    </message>
    <message>
        <source>{quantization} is already the smallest level LlamaDesk knows.</source>
        <translation>{quantization} ist bereits die kleinste Stufe, die LlamaDesk kennt.</translation>
    </message>
    <message>
        <source>{level} is larger than {model}&apos;s own {source}: {note}; it only holds the {source} weights in more bits. The arena labels it so and never measures other levels against it.</source>
        <translation>{level} ist größer als das eigene {source} von {model}: {note}; es enthält nur die {source}-Gewichte in mehr Bits. Die Arena kennzeichnet es so und misst nie andere Stufen daran.</translation>
    </message>
    <message>
        <source>{model} is already quantized ({source}): quantizing it again compounds the quality losses. Quantize from an F16 or F32 file if you have one.</source>
        <translation>{model} ist bereits quantisiert ({source}): Erneutes Quantisieren häuft die Qualitätsverluste an. Quantisieren Sie aus einer F16- oder F32-Datei, wenn Sie eine haben.</translation>
    </message>
    <message>
        <source>Quantizing to {level}…</source>
        <translation>Quantisierung nach {level}…</translation>
    </message>
    <message>
        <source>Done: {name}, {size}, in {seconds:.1f} s. It is in the library.</source>
        <translation>Fertig: {name}, {size}, in {seconds:.1f} s. Es ist in der Bibliothek.</translation>
    </message>
</context>
<context>
    <name>Quants</name>
    <message>
        <source>A model is billions of numbers (its weights). Quantization stores each weight in fewer bits, so the file is smaller and answers come faster, at some cost in quality. The size on disk is about parameters × bits per weight ÷ 8: a 70B model in F16 (16 bits a weight) is 140 GB, and about 43 GB at Q4_K_M. Q4_K_M is the usual choice; Q8_0 is almost indistinguishable from the original; below 4 bits quality drops quickly. The quality cost is given as added perplexity: how much more surprised the model is by ordinary text than the unquantized original (lower is better).</source>
        <translation>Ein Modell besteht aus Milliarden Zahlen (seinen Gewichten). Quantisierung speichert jedes Gewicht in weniger Bits; so wird die Datei kleiner und Antworten kommen schneller, auf Kosten etwas Qualität. Die Größe auf der Festplatte ist etwa Parameter × Bits pro Gewicht ÷ 8: Ein 70B-Modell in F16 (16 Bit pro Gewicht) hat 140 GB, in Q4_K_M etwa 43 GB. Q4_K_M ist die übliche Wahl; Q8_0 ist vom Original kaum zu unterscheiden; unter 4 Bit sinkt die Qualität schnell. Die Qualitätskosten werden als zusätzliche Perplexität angegeben: wie viel überraschter das Modell von gewöhnlichem Text ist als das unquantisierte Original (niedriger ist besser).</translation>
    </message>
</context>
<context>
    <name>RankDialog</name>
    <message>
        <source>Rank the answers</source>
        <translation>Antworten in eine Rangfolge bringen</translation>
    </message>
    <message>
        <source>Drag the answers into order, best at the top. Every pair in your order becomes one preference pair (three answers give three pairs).</source>
        <translation>Ziehen Sie die Antworten in eine Reihenfolge, die beste nach oben. Jedes Paar in Ihrer Reihenfolge wird ein Präferenzpaar (drei Antworten ergeben drei Paare).</translation>
    </message>
    <message>
        <source>unknown model</source>
        <translation>unbekanntes Modell</translation>
    </message>
    <message>
        <source>Answer {number} ({model}): {preview}</source>
        <translation>Antwort {number} ({model}): {preview}</translation>
    </message>
</context>
<context>
    <name>ReasoningSection</name>
    <message>
        <source>Reasoning</source>
        <translation>Denkprozess</translation>
    </message>
    <message>
        <source>Thinking…</source>
        <translation>Denkt nach…</translation>
    </message>
</context>
<context>
    <name>RemoteIdentityDialog</name>
    <message>
        <source>A model on a server, in the arena</source>
        <translation>Ein Modell auf einem Server in der Arena</translation>
    </message>
    <message>
        <source>Model on a server</source>
        <translation>Modell auf einem Server</translation>
    </message>
    <message>
        <source>Which model it is</source>
        <translation>Welches Modell es ist</translation>
    </message>
    <message>
        <source>Its quantization level</source>
        <translation>Seine Quantisierungsstufe</translation>
    </message>
    <message>
        <source>{level}  ({bits:.2f} bits/weight)</source>
        <translation>{level}  ({bits:.2f} Bit/Gewicht)</translation>
    </message>
    <message>
        <source>The reference: the level the others are judged against</source>
        <translation>Die Referenz: die Stufe, an der die anderen gemessen werden</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Forget</source>
        <translation>Vergessen</translation>
    </message>
    <message>
        <source>Take this model out of the arena</source>
        <translation>Dieses Modell aus der Arena nehmen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>A server names its models as its owner likes. Say which model this is (as your files name it, without the level) and at which level it runs, and it duels your local levels of that model in the arena.</source>
        <translation>Ein Server benennt seine Modelle, wie sein Betreiber es möchte. Geben Sie an, welches Modell dies ist (wie Ihre Dateien es nennen, ohne die Stufe) und in welcher Stufe es läuft; dann tritt es in der Arena gegen Ihre lokalen Stufen dieses Modells an.</translation>
    </message>
    <message>
        <source>On the server</source>
        <translation>Auf dem Server</translation>
    </message>
    <message>
        <source>Is the model</source>
        <translation>Ist das Modell</translation>
    </message>
    <message>
        <source>At level</source>
        <translation>In der Stufe</translation>
    </message>
    <message>
        <source>Add a server first: Network → Connections.</source>
        <translation>Fügen Sie zuerst einen Server hinzu: Netzwerk → Verbindungen.</translation>
    </message>
    <message>
        <source>The server&apos;s answers say so; correct them if not.</source>
        <translation>So sagen es die Antworten des Servers; korrigieren Sie es, falls nicht.</translation>
    </message>
    <message>
        <source>As the reference, it can also measure your levels&apos; KL and top-1 (it returns top_logprobs).</source>
        <translation>Als Referenz kann es auch KL und Top-1 Ihrer Stufen messen (es liefert top_logprobs).</translation>
    </message>
    <message>
        <source>It can duel, but not measure KL: {why}.</source>
        <translation>Es kann im Duell antreten, aber keine KL messen: {why}.</translation>
    </message>
    <message>
        <source>Say which model it is first.</source>
        <translation>Geben Sie zuerst an, welches Modell es ist.</translation>
    </message>
    <message>
        <source>Saved: the arena pairs it with your files of {model}.</source>
        <translation>Gespeichert: Die Arena stellt es Ihren Dateien von {model} gegenüber.</translation>
    </message>
    <message>
        <source>Forgotten: it is out of the arena.</source>
        <translation>Vergessen: Es ist nicht mehr in der Arena.</translation>
    </message>
</context>
<context>
    <name>RescorePanel</name>
    <message>
        <source>Levels on a server are not re-scored: a server returns only its top few next tokens, and a re-score compares the two levels&apos; whole predictions at each token. Your largest file is the reference here.</source>
        <translation>Stufen auf einem Server werden nicht neu bewertet: Ein Server liefert nur seine wenigen wahrscheinlichsten nächsten Tokens, eine Neubewertung vergleicht aber die vollständigen Vorhersagen beider Stufen bei jedem Token. Ihre größte Datei ist hier die Referenz.</translation>
    </message>
    <message>
        <source>The level to score the answer under</source>
        <translation>Die Stufe, unter der die Antwort bewertet wird</translation>
    </message>
    <message>
        <source>Re-score</source>
        <translation>Neu bewerten</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Pick an answer and the level to score it under.</source>
        <translation>Wählen Sie eine Antwort und die Stufe, unter der sie bewertet wird.</translation>
    </message>
    <message>
        <source>The answer, each token coloured by KL</source>
        <translation>Die Antwort, jedes Token nach KL eingefärbt</translation>
    </message>
    <message>
        <source>Each token is coloured by the KL between the two levels&apos; predictions there (none: uncoloured; red: {top:g} nats or more). Hover a token for the reference&apos;s five likeliest tokens. ▸ marks the first token where the greedy choices differ.</source>
        <translation>Jedes Token ist nach der KL zwischen den Vorhersagen der beiden Stufen an dieser Stelle eingefärbt (keine: ungefärbt; rot: {top:g} nats oder mehr). Zeigen Sie auf ein Token für die fünf wahrscheinlichsten Token der Referenz. ▸ markiert das erste Token, bei dem die Greedy-Wahl abweicht.</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>scored under</source>
        <translation>bewertet unter</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>against {level}</source>
        <translation>gegen {level}</translation>
    </message>
    <message>
        <source>A re-score is running: wait for it, or cancel it first.</source>
        <translation>Eine Neubewertung läuft: Warten Sie darauf oder brechen Sie sie zuerst ab.</translation>
    </message>
    <message>
        <source>Pick an answer from your chats and a level below the reference.</source>
        <translation>Wählen Sie eine Antwort aus Ihren Chats und eine Stufe unterhalb der Referenz.</translation>
    </message>
    <message>
        <source>Scoring the answer under both levels…</source>
        <translation>Die Antwort wird unter beiden Stufen bewertet…</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>at token {n} of {total}</source>
        <translation>bei Token {n} von {total}</translation>
    </message>
    <message>
        <source>Mean KL {kl:.3f} nats; {share:.0%} of the tokens are damaged (KL above {limit:g}); the greedy choices first differ {where}.</source>
        <translation>Mittlere KL {kl:.3f} nats; {share:.0%} der Token sind beschädigt (KL über {limit:g}); die Greedy-Wahl weicht zuerst ab: {where}.</translation>
    </message>
</context>
<context>
    <name>SamplingForm</name>
    <message>
        <source>e.g. You are a concise assistant.</source>
        <translation>z. B. Du bist ein knapper Assistent.</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>System-Prompt</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Theme</source>
        <translation>Farbschema</translation>
    </message>
    <message>
        <source>“As the system” follows your desktop’s light or dark setting as it changes. The View menu’s Theme changes it too.</source>
        <translation>„Wie das System“ folgt der hellen oder dunklen Einstellung Ihres Desktops, auch wenn sie sich ändert. Auch „Ansicht → Farbschema“ ändert es.</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Loading (applies when the model loads again)</source>
        <translation>Laden (gilt, wenn das Modell neu lädt)</translation>
    </message>
    <message>
        <source>Answers</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>Modell: {model}</translation>
    </message>
    <message>
        <source>This chat</source>
        <translation>Dieser Chat</translation>
    </message>
    <message>
        <source>Some saved settings were invalid and were reset to their defaults:</source>
        <translation>Einige gespeicherte Einstellungen waren ungültig und wurden auf ihre Standardwerte zurückgesetzt:</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Darstellung</translation>
    </message>
</context>
<context>
    <name>ShareDialog</name>
    <message>
        <source>Preference pairs (trl: DPO, reward models)</source>
        <translation>Präferenzpaare (trl: DPO, Reward-Modelle)</translation>
    </message>
    <message>
        <source>Rated answers (kto)</source>
        <translation>Bewertete Antworten (kto)</translation>
    </message>
    <message>
        <source>Arena battles (arena)</source>
        <translation>Arena-Duelle (arena)</translation>
    </message>
    <message>
        <source>Share your data set</source>
        <translation>Ihren Datensatz teilen</translation>
    </message>
    <message>
        <source>Checking your Hugging Face login…</source>
        <translation>Ihre Hugging-Face-Anmeldung wird geprüft…</translation>
    </message>
    <message>
        <source>Replace emails, phone numbers, paths with user names and API keys (preview below)</source>
        <translation>E-Mail-Adressen, Telefonnummern, Pfade mit Benutzernamen und API-Schlüssel ersetzen (Vorschau unten)</translation>
    </message>
    <message>
        <source>Choose at least one file to see its card.</source>
        <translation>Wählen Sie mindestens eine Datei, um ihre Karte zu sehen.</translation>
    </message>
    <message>
        <source>yourname/my-ratings</source>
        <translation>ihrname/meine-bewertungen</translation>
    </message>
    <message>
        <source>Private (only you can see it)</source>
        <translation>Privat (nur Sie können es sehen)</translation>
    </message>
    <message>
        <source>Log in…</source>
        <translation>Anmelden…</translation>
    </message>
    <message>
        <source>Save folder…</source>
        <translation>Ordner speichern…</translation>
    </message>
    <message>
        <source>Share on Hugging Face</source>
        <translation>Auf Hugging Face teilen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Files:</source>
        <translation>Dateien:</translation>
    </message>
    <message>
        <source>Privacy:</source>
        <translation>Datenschutz:</translation>
    </message>
    <message>
        <source>Licence:</source>
        <translation>Lizenz:</translation>
    </message>
    <message>
        <source>Repository:</source>
        <translation>Repository:</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <source>Data set card (README.md)</source>
        <translation>Datensatzkarte (README.md)</translation>
    </message>
    <message>
        <source>What the scrub replaces</source>
        <translation>Was die Bereinigung ersetzt</translation>
    </message>
    <message>
        <source>Preparing the data set…</source>
        <translation>Der Datensatz wird vorbereitet…</translation>
    </message>
    <message>
        <source>The scrub is off: the text is exported as written.</source>
        <translation>Die Bereinigung ist aus: Der Text wird so exportiert, wie er geschrieben wurde.</translation>
    </message>
    <message>
        <source>Nothing found to replace.</source>
        <translation>Nichts zu ersetzen gefunden.</translation>
    </message>
    <message>
        <source>{kinds}: no rows, left out</source>
        <translation>{kinds}: keine Zeilen, ausgelassen</translation>
    </message>
    <message>
        <source>Rows: {counts}.</source>
        <translation>Zeilen: {counts}.</translation>
    </message>
    <message>
        <source>Nothing to share yet: rate some answers first (Good or Bad, a best answer, or a vote in Compare).</source>
        <translation>Noch nichts zu teilen: Bewerten Sie zuerst einige Antworten (Gut oder Schlecht, eine beste Antwort oder eine Stimme im Vergleich).</translation>
    </message>
    <message>
        <source>Save the data set in</source>
        <translation>Datensatz speichern in</translation>
    </message>
    <message>
        <source>Saving to {folder}…</source>
        <translation>Speichern nach {folder}…</translation>
    </message>
    <message>
        <source>Saved {names} in {folder}.</source>
        <translation>{names} in {folder} gespeichert.</translation>
    </message>
    <message>
        <source>Name the repository: yourname/my-ratings.</source>
        <translation>Benennen Sie das Repository: ihrname/meine-bewertungen.</translation>
    </message>
    <message>
        <source>Uploading to {repo}…</source>
        <translation>Hochladen nach {repo}…</translation>
    </message>
    <message>
        <source>Shared as {repo} (private): {url}</source>
        <translation>Geteilt als {repo} (privat): {url}</translation>
    </message>
    <message>
        <source>Shared as {repo} (public): {url}</source>
        <translation>Geteilt als {repo} (öffentlich): {url}</translation>
    </message>
    <message>
        <source>Log in to Hugging Face</source>
        <translation>Bei Hugging Face anmelden</translation>
    </message>
    <message>
        <source>Paste an access token with write access (from {page}):</source>
        <translation>Fügen Sie ein Zugriffstoken mit Schreibrecht ein (von {page}):</translation>
    </message>
    <message>
        <source>Logging in…</source>
        <translation>Anmeldung läuft…</translation>
    </message>
    <message>
        <source>Logged in to Hugging Face as {name}</source>
        <translation>Bei Hugging Face angemeldet als {name}</translation>
    </message>
    <message>
        <source>Log in as someone else…</source>
        <translation>Als jemand anderes anmelden…</translation>
    </message>
    <message>
        <source>Could not check the Hugging Face login. {error}</source>
        <translation>Die Hugging-Face-Anmeldung konnte nicht geprüft werden. {error}</translation>
    </message>
    <message>
        <source>Not logged in to Hugging Face</source>
        <translation>Nicht bei Hugging Face angemeldet</translation>
    </message>
    <message>
        <source>{error} Use “Log in…” to share.</source>
        <translation>{error} Nutzen Sie „Anmelden…“, um zu teilen.</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Everywhere</source>
        <translation>Überall</translation>
    </message>
    <message>
        <source>Search chats</source>
        <translation>Chats durchsuchen</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Nachricht schreiben</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Nachricht senden</translation>
    </message>
    <message>
        <source>Message box</source>
        <translation>Nachrichtenfeld</translation>
    </message>
    <message>
        <source>New line</source>
        <translation>Neue Zeile</translation>
    </message>
    <message>
        <source>Stop the answer</source>
        <translation>Antwort stoppen</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Regenerate the last answer</source>
        <translation>Letzte Antwort neu erzeugen</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>Letzte Antwort kopieren</translation>
    </message>
    <message>
        <source>Rate the last answer good</source>
        <translation>Letzte Antwort gut bewerten</translation>
    </message>
    <message>
        <source>Rate the last answer bad</source>
        <translation>Letzte Antwort schlecht bewerten</translation>
    </message>
    <message>
        <source>Vote: A is better</source>
        <translation>Stimme: A ist besser</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>Vote: B is better</source>
        <translation>Stimme: B ist besser</translation>
    </message>
    <message>
        <source>Vote: tie</source>
        <translation>Stimme: unentschieden</translation>
    </message>
    <message>
        <source>Go to Chat</source>
        <translation>Zum Chat</translation>
    </message>
    <message>
        <source>Go to Compare</source>
        <translation>Zum Vergleich</translation>
    </message>
    <message>
        <source>Go to Data set</source>
        <translation>Zum Datensatz</translation>
    </message>
    <message>
        <source>Go to Arena</source>
        <translation>Zur Arena</translation>
    </message>
    <message>
        <source>Go to Models</source>
        <translation>Zu den Modellen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Start a new chat</source>
        <translation>Einen neuen Chat beginnen</translation>
    </message>
    <message>
        <source>Send, or stop the answer</source>
        <translation>Senden oder die Antwort stoppen</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>Tasten</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>+  New chat</source>
        <translation>+  Neuer Chat</translation>
    </message>
    <message>
        <source>Search chats</source>
        <translation>Chats durchsuchen</translation>
    </message>
</context>
<context>
    <name>Theme</name>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>&amp;Farbschema</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
</context>
<context>
    <name>TokenView</name>
    <message>
        <source>KL {kl:.3f} nats
The reference&apos;s top 5:</source>
        <translation>KL {kl:.3f} nats
Top 5 der Referenz:</translation>
    </message>
    <message>
        <source>The first token where the greedy choices differ.</source>
        <translation>Das erste Token, bei dem die Greedy-Wahl abweicht.</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <source>Preference pairs (DPO): answers you picked over others</source>
        <translation>Präferenzpaare (DPO): Antworten, die Sie anderen vorgezogen haben</translation>
    </message>
    <message>
        <source>Thumbs (KTO): answers you liked or disliked</source>
        <translation>Daumen (KTO): Antworten, die Ihnen gefielen oder nicht</translation>
    </message>
    <message>
        <source>{n} preference pair rated on this model or its family</source>
        <translation>{n} Präferenzpaar, bewertet auf diesem Modell oder seiner Familie</translation>
    </message>
    <message>
        <source>{n} preference pairs rated on this model or its family</source>
        <translation>{n} Präferenzpaare, bewertet auf diesem Modell oder seiner Familie</translation>
    </message>
    <message>
        <source>{n} rated answer on this model or its family</source>
        <translation>{n} bewertete Antwort auf diesem Modell oder seiner Familie</translation>
    </message>
    <message>
        <source>{n} rated answers on this model or its family</source>
        <translation>{n} bewertete Antworten auf diesem Modell oder seiner Familie</translation>
    </message>
    <message>
        <source>{n} prompt held back for the duel</source>
        <translation>{n} Prompt für das Duell zurückgehalten</translation>
    </message>
    <message>
        <source>{n} prompts held back for the duel</source>
        <translation>{n} Prompts für das Duell zurückgehalten</translation>
    </message>
    <message>
        <source>At least {needed} are needed: rate {more} more.</source>
        <translation>Mindestens {needed} sind nötig: Bewerten Sie {more} weitere.</translation>
    </message>
    <message>
        <source>about {n} s left</source>
        <translation>noch etwa {n} s</translation>
    </message>
    <message>
        <source>about {n} min left</source>
        <translation>noch etwa {n} min</translation>
    </message>
    <message>
        <source>Saved {name} ({size}). Pick “{label}” in the model menu to chat with it, or duel it against the original.</source>
        <translation>{name} gespeichert ({size}). Wählen Sie „{label}“ im Modellmenü, um damit zu chatten, oder lassen Sie es gegen das Original antreten.</translation>
    </message>
    <message>
        <source>Teach {model} your preferences</source>
        <translation>{model} Ihre Vorlieben beibringen</translation>
    </message>
    <message>
        <source>Reading your ratings…</source>
        <translation>Ihre Bewertungen werden gelesen…</translation>
    </message>
    <message>
        <source>Automatic (two passes)</source>
        <translation>Automatisch (zwei Durchgänge)</translation>
    </message>
    <message>
        <source>Learn from</source>
        <translation>Lernen aus</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Longest example (tokens)</source>
        <translation>Längstes Beispiel (Token)</translation>
    </message>
    <message>
        <source>Teach</source>
        <translation>Beibringen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Duel it against the original</source>
        <translation>Gegen das Original antreten lassen</translation>
    </message>
    <message>
        <source>A blind duel in the arena, on the prompts held back from training</source>
        <translation>Ein Blindduell in der Arena, mit den vom Training zurückgehaltenen Prompts</translation>
    </message>
    <message>
        <source>(held back for the duel) {prompt}</source>
        <translation>(für das Duell zurückgehalten) {prompt}</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Startet…</translation>
    </message>
    <message>
        <source>Step {step} of {total}; {left}</source>
        <translation>Schritt {step} von {total}; {left}</translation>
    </message>
    <message>
        <source>Step {step} of {total}, loss {loss:.3f}; {left}</source>
        <translation>Schritt {step} von {total}, Loss {loss:.3f}; {left}</translation>
    </message>
</context>
<context>
    <name>VariantsTable</name>
    <message>
        <source>Quantization</source>
        <translation>Quantisierung</translation>
    </message>
    <message>
        <source>Bits/weight</source>
        <translation>Bits/Gewicht</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>Dateigröße</translation>
    </message>
    <message>
        <source>Quality cost</source>
        <translation>Qualitätskosten</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Passung</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Geschwindigkeit</translation>
    </message>
    <message>
        <source>{size} in {n} parts</source>
        <translation>{size} in {n} Teilen</translation>
    </message>
    <message>
        <source>≈ {size} (estimate)</source>
        <translation>≈ {size} (geschätzt)</translation>
    </message>
</context>
<context>
    <name>VoteBar</name>
    <message>
        <source>A is better</source>
        <translation>A ist besser</translation>
    </message>
    <message>
        <source>B is better</source>
        <translation>B ist besser</translation>
    </message>
    <message>
        <source>Tie</source>
        <translation>Unentschieden</translation>
    </message>
    <message>
        <source>Both are bad</source>
        <translation>Beide schlecht</translation>
    </message>
    <message>
        <source>(how much?)</source>
        <translation>(wie viel?)</translation>
    </message>
    <message>
        <source>slightly better</source>
        <translation>etwas besser</translation>
    </message>
    <message>
        <source>much better</source>
        <translation>viel besser</translation>
    </message>
</context>
<context>
    <name>Welcome</name>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt;, a small assistant that comes with LlamaDesk ({size}&#xa0;MB). It answers at once, offline. Good for a first try; larger models know far more.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt;, ein kleiner Assistent, der mit LlamaDesk kommt ({size}&#xa0;MB). Er antwortet sofort und offline. Gut für einen ersten Versuch; größere Modelle wissen weit mehr.</translation>
    </message>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt;, a small assistant ({size}&#xa0;MB), is not installed with this copy of LlamaDesk: get it from the Hugging Face hub, once.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt;, ein kleiner Assistent ({size}&#xa0;MB), ist mit dieser Kopie von LlamaDesk nicht installiert: Laden Sie ihn einmal vom Hugging Face Hub.</translation>
    </message>
    <message>
        <source>Chat with a language model on your own computer</source>
        <translation>Chatten Sie mit einem Sprachmodell auf Ihrem eigenen Computer</translation>
    </message>
    <message>
        <source>A model is a file of parameters (a GGUF file). LlamaDesk runs it with llama.cpp, privately: nothing you type leaves this computer.</source>
        <translation>Ein Modell ist eine Datei voller Parameter (eine GGUF-Datei). LlamaDesk führt es mit llama.cpp aus, privat: Nichts, was Sie eingeben, verlässt diesen Computer.</translation>
    </message>
    <message>
        <source>Start chatting now</source>
        <translation>Jetzt loschatten</translation>
    </message>
    <message>
        <source>Pick a model for this computer</source>
        <translation>Ein Modell für diesen Computer wählen</translation>
    </message>
    <message>
        <source>Open a GGUF file…</source>
        <translation>GGUF-Datei öffnen…</translation>
    </message>
    <message>
        <source>Current open models, each with its download size and whether it fits this computer&apos;s memory. The one that suits this computer is marked.</source>
        <translation>Aktuelle offene Modelle, jeweils mit Downloadgröße und ob sie in den Speicher dieses Computers passen. Das passende Modell für diesen Computer ist markiert.</translation>
    </message>
    <message>
        <source>A model you already have: any GGUF file on this computer.</source>
        <translation>Ein Modell, das Sie schon haben: jede GGUF-Datei auf diesem Computer.</translation>
    </message>
    <message>
        <source>Get the starter model ({size} MB)</source>
        <translation>Startmodell laden ({size} MB)</translation>
    </message>
</context>
</TS>
