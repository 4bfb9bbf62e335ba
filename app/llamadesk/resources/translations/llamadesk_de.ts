<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
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
    <name>Composer</name>
    <message>
        <source>Message the model…  (Enter sends, Shift+Enter adds a line)</source>
        <translation>Nachricht an das Modell…  (Enter sendet, Umschalt+Enter fügt eine Zeile ein)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
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
        <source>No model loaded</source>
        <translation>Kein Modell geladen</translation>
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
        <source>Appearance</source>
        <translation>Darstellung</translation>
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
