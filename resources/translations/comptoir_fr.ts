<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AppController</name>
    <message>
        <location filename="../../desktop/ui/app.py" line="100"/>
        <source>Preparing the demo shop…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="114"/>
        <source>Choose a new passphrase for this workspace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="137"/>
        <source>You already have a workspace. Restart Comptoir to open it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="182"/>
        <source>Comptoir is already open with this data folder. Switch to its window.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AssistantPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="181"/>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="182"/>
        <source>Chat with your assistant about a customer, an order or the week&apos;s open conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="183"/>
        <source>Ask it to write an announcement, a newsletter or a policy text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="184"/>
        <source>It works with a language model running on this computer (Ollama, LM Studio, llama.cpp) or, if you choose, a cloud provider that only sees pseudonymised data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="186"/>
        <source>Conversations are kept in your encrypted workspace.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="33"/>
        <source>Comptoir ran into a problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="36"/>
        <source>Something went wrong that Comptoir did not expect. Your data is safe: nothing was deleted.
If it happens again, copy the report below and send it to your support contact. It holds no passwords or keys.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="43"/>
        <source>Copy report</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CustomerModel</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>E-mail addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="138"/>
        <source>No AI processing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="156"/>
        <source>yes</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="203"/>
        <source>Customers</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="242"/>
        <source>Comptoir — first start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="251"/>
        <source>Open Comptoir</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="73"/>
        <source>Inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="76"/>
        <source>Search mail, customers, order or tracking numbers…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="103"/>
        <source>Select a conversation to read it.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="42"/>
        <source> — demo shop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="53"/>
        <source>You are looking at a demo shop with fictional customers. Nothing here is real.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="55"/>
        <source>Create my workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="68"/>
        <source>Inbox</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="69"/>
        <source>Assistant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="70"/>
        <source>Customers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="71"/>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="72"/>
        <source>Privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="73"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="83"/>
        <source>Workspace: {path}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Operation</name>
    <message>
        <location filename="../../desktop/ui/bridge.py" line="114"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="143"/>
        <source>Orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="226"/>
        <source>The workspace key is kept in this computer&apos;s keyring ({backend}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="229"/>
        <source>The workspace key is protected by your passphrase (Argon2id).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="230"/>
        <source>Demo workspace: its key exists only in memory and is forgotten when Comptoir closes.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="239"/>
        <source>Privacy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="241"/>
        <source>Everything Comptoir holds is in one encrypted database on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="244"/>
        <source>Counting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="249"/>
        <source>Coming next: export everything or one customer&apos;s data in one click, erase everything or one customer, retention rules, and the ledger of every byte sent to a provider.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="260"/>
        <source>Held: {threads} conversations, {messages} messages, {customers} customers, {orders} orders, {chats} chats. Size on disk: {size}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProtectionPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="65"/>
        <source>Protect your workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="67"/>
        <source>Checking this computer&apos;s keyring…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="71"/>
        <source>Use a passphrase instead of the system keyring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="84"/>
        <source>Passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="85"/>
        <source>Again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="108"/>
        <source>Your workspace key will be kept in this computer&apos;s keyring ({backend}). Comptoir will open without asking for a password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="113"/>
        <source>Choose a passphrase to protect your workspace. {reason} You will type the passphrase each time Comptoir opens. At least {n} characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="155"/>
        <source>Creating your encrypted workspace…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="182"/>
        <source>Save your recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="185"/>
        <source>This key opens your workspace if this computer&apos;s keyring is reset, if you forget your passphrase or when you move to a new computer. It is shown only now. Write it down or print it, and keep it somewhere safe, away from this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="199"/>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="202"/>
        <source>I have saved my recovery key somewhere safe</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="192"/>
        <source>Reports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="193"/>
        <source>How many conversations you receive and answer, by topic and by week.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="194"/>
        <source>Which questions come back most often, to improve your shop pages and templates.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="273"/>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="279"/>
        <source>Secrets protected by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="283"/>
        <source>Workspace folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="286"/>
        <source>Same as the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="289"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="317"/>
        <source>Saved. The new language applies the next time Comptoir starts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ThreadListModel</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Customer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Subject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="71"/>
        <source>Unlock Comptoir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="82"/>
        <source>Type the passphrase of your workspace:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="91"/>
        <source>Type the recovery key you saved when the workspace was created:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="113"/>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="124"/>
        <source>Use my passphrase instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="125"/>
        <source>I forgot my passphrase: use the recovery key</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="38"/>
        <source>Welcome to Comptoir</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="39"/>
        <source>Your customer mail, your orders and your assistant, on this computer only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="42"/>
        <source>Comptoir keeps everything in an encrypted workspace on this computer. Nothing is sent to us: there is no Comptoir server.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="46"/>
        <source>Create my workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="48"/>
        <source>Try the demo (a fictional shop, nothing to set up)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
