<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="41"/>
        <source>Mail account</source>
        <translation>Compte de messagerie</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="55"/>
        <source>unchanged</source>
        <translation>inchangé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="62"/>
        <source>only for a self-signed certificate you checked</source>
        <translation>uniquement pour un certificat auto-signé que vous avez vérifié</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="63"/>
        <source>Shop e-mail address</source>
        <translation>Adresse e-mail de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="64"/>
        <source>Sender name</source>
        <translation>Nom de l’expéditeur</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="65"/>
        <source>Incoming server (IMAP)</source>
        <translation>Serveur entrant (IMAP)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="66"/>
        <location filename="../../desktop/ui/accounts.py" line="70"/>
        <source>Security</source>
        <translation>Sécurité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="67"/>
        <source>User name</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="68"/>
        <source>Password or app password</source>
        <translation>Mot de passe ou mot de passe d’application</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="69"/>
        <source>Outgoing server (SMTP)</source>
        <translation>Serveur sortant (SMTP)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="71"/>
        <source>Signature</source>
        <translation>Signature</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="72"/>
        <source>Trusted certificate (SHA-256)</source>
        <translation>Certificat de confiance (SHA-256)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="82"/>
        <source>Test connection</source>
        <translation>Tester la connexion</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="93"/>
        <source>TLS (recommended)</source>
        <translation>TLS (recommandé)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="94"/>
        <source>STARTTLS</source>
        <translation>STARTTLS</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="95"/>
        <source>None (this computer only)</source>
        <translation>Aucune (cet ordinateur uniquement)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="142"/>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
</context>
<context>
    <name>AccountsPanel</name>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="180"/>
        <source>Add a mailbox…</source>
        <translation>Ajouter une boîte aux lettres…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="182"/>
        <source>Edit…</source>
        <translation>Modifier…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="183"/>
        <source>Remove…</source>
        <translation>Retirer…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="204"/>
        <source>No mailbox yet.</source>
        <translation>Aucune boîte aux lettres pour l’instant.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="229"/>
        <source>Remove mailbox</source>
        <translation>Retirer la boîte aux lettres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="230"/>
        <source>Remove {email} from Comptoir?</source>
        <translation>Retirer {email} de Comptoir&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="232"/>
        <source>Nothing is deleted on the mail server. Keep this mailbox&apos;s mail in Comptoir (readable offline), or erase it from this computer?</source>
        <translation>Rien n’est supprimé sur le serveur de messagerie. Conserver les messages de cette boîte dans Comptoir (lisibles hors ligne) ou les effacer de cet ordinateur&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="234"/>
        <source>Keep its mail</source>
        <translation>Conserver ses messages</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/accounts.py" line="235"/>
        <source>Erase its mail</source>
        <translation>Effacer ses messages</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../../desktop/ui/app.py" line="101"/>
        <source>Preparing the demo shop…</source>
        <translation>Préparation de la boutique de démonstration…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="115"/>
        <source>Choose a new passphrase for this workspace:</source>
        <translation>Choisissez une nouvelle phrase secrète pour cet espace de travail&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="139"/>
        <source>You already have a workspace. Restart Comptoir to open it.</source>
        <translation>Vous avez déjà un espace de travail. Redémarrez Comptoir pour l’ouvrir.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="189"/>
        <source>Comptoir is already open with this data folder. Switch to its window.</source>
        <translation>Comptoir est déjà ouvert avec ce dossier de données. Basculez vers sa fenêtre.</translation>
    </message>
</context>
<context>
    <name>AssistantPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="457"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="458"/>
        <source>Chat with your assistant about a customer, an order or the week&apos;s open conversations.</source>
        <translation>Discutez avec votre assistant d’un client, d’une commande ou des conversations en cours de la semaine.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="459"/>
        <source>Ask it to write an announcement, a newsletter or a policy text.</source>
        <translation>Demandez-lui de rédiger une annonce, une newsletter ou les conditions de votre boutique.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="460"/>
        <source>It works with a language model running on this computer (Ollama, LM Studio, llama.cpp) or, if you choose, a cloud provider that only sees pseudonymised data.</source>
        <translation>Il fonctionne avec un modèle de langage exécuté sur cet ordinateur (Ollama, LM Studio, llama.cpp) ou, si vous le souhaitez, avec un fournisseur cloud qui ne voit que des données pseudonymisées.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="462"/>
        <source>Conversations are kept in your encrypted workspace.</source>
        <translation>Les conversations sont conservées dans votre espace de travail chiffré.</translation>
    </message>
</context>
<context>
    <name>CrashDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="33"/>
        <source>Comptoir ran into a problem</source>
        <translation>Comptoir a rencontré un problème</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="36"/>
        <source>Something went wrong that Comptoir did not expect. Your data is safe: nothing was deleted.
If it happens again, copy the report below and send it to your support contact. It holds no passwords or keys.</source>
        <translation>Comptoir a rencontré une erreur inattendue. Vos données sont en sécurité&#xa0;: rien n’a été supprimé.
Si cela se reproduit, copiez le rapport ci-dessous et envoyez-le à votre contact d’assistance. Il ne contient aucun mot de passe ni aucune clé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="43"/>
        <source>Copy report</source>
        <translation>Copier le rapport</translation>
    </message>
</context>
<context>
    <name>CustomerModel</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>E-mail addresses</source>
        <translation>Adresses e-mail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Threads</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="137"/>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="138"/>
        <source>No AI processing</source>
        <translation>Sans traitement IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="156"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="479"/>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="482"/>
        <source>Find a customer by name or address…</source>
        <translation>Trouver un client par son nom ou son adresse…</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="258"/>
        <source>Comptoir — first start</source>
        <translation>Comptoir — premier démarrage</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="268"/>
        <source>Open Comptoir</source>
        <translation>Ouvrir Comptoir</translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="83"/>
        <source>Inbox</source>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="88"/>
        <source>Check mail</source>
        <translation>Relever le courrier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="92"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="103"/>
        <source>Search mail, customers, order or tracking numbers…</source>
        <translation>Rechercher des messages, des clients, des numéros de commande ou de suivi…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="132"/>
        <source>Show formatted mail (no remote content)</source>
        <translation>Afficher le message mis en forme (sans contenu distant)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="140"/>
        <source>Select a conversation to read it.</source>
        <translation>Sélectionnez une conversation pour la lire.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="161"/>
        <source>Write your reply…</source>
        <translation>Rédigez votre réponse…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="169"/>
        <source>Save to Drafts</source>
        <translation>Enregistrer dans les brouillons</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="171"/>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="210"/>
        <source>No mailbox connected yet (Settings).</source>
        <translation>Aucune boîte aux lettres connectée (Paramètres).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="228"/>
        <source>New mail.</source>
        <translation>Nouveaux messages.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="241"/>
        <source>Checking mail…</source>
        <translation>Relève du courrier…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="249"/>
        <source>Up to date: {n} new message(s).</source>
        <translation>À jour&#xa0;: {n} nouveau(x) message(s).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="256"/>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="303"/>
        <source>Write a reply first.</source>
        <translation>Rédigez d’abord une réponse.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="308"/>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="308"/>
        <source>Saving to Drafts…</source>
        <translation>Enregistrement dans les brouillons…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="312"/>
        <source>Sent. A copy is in your Sent folder.</source>
        <translation>Envoyé. Une copie se trouve dans votre dossier Envoyés.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="313"/>
        <source>Saved in your mailbox&apos;s Drafts folder.</source>
        <translation>Enregistré dans le dossier Brouillons de votre boîte aux lettres.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="42"/>
        <source> — demo shop</source>
        <translation> — boutique de démonstration</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="53"/>
        <source>You are looking at a demo shop with fictional customers. Nothing here is real.</source>
        <translation>Vous consultez une boutique de démonstration avec des clients fictifs. Rien ici n’est réel.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="55"/>
        <source>Create my workspace</source>
        <translation>Créer mon espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="68"/>
        <source>Inbox</source>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="69"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="70"/>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="71"/>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="72"/>
        <source>Privacy</source>
        <translation>Confidentialité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="73"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="83"/>
        <source>Workspace: {path}</source>
        <translation>Espace de travail&#xa0;: {path}</translation>
    </message>
</context>
<context>
    <name>Operation</name>
    <message>
        <location filename="../../desktop/ui/bridge.py" line="120"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>Pages</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="398"/>
        <source>, {total} {currency} spent</source>
        <translation>, {total} {currency} dépensés</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="402"/>
        <source>{n} order(s)</source>
        <translation>{n} commande(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="404"/>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="423"/>
        <source>Hidden or invisible text was removed from this message; it was not written for you.</source>
        <translation>Du texte caché ou invisible a été retiré de ce message&#xa0;: il ne vous était pas destiné.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="434"/>
        <source>Attachments</source>
        <translation>Pièces jointes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="513"/>
        <source>The workspace key is kept in this computer&apos;s keyring ({backend}).</source>
        <translation>La clé de l’espace de travail est conservée dans le trousseau de clés du système de cet ordinateur ({backend}).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="516"/>
        <source>The workspace key is protected by your passphrase (Argon2id).</source>
        <translation>La clé de l’espace de travail est protégée par votre phrase secrète (Argon2id).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="517"/>
        <source>Demo workspace: its key exists only in memory and is forgotten when Comptoir closes.</source>
        <translation>Espace de travail de démonstration&#xa0;: sa clé n’existe qu’en mémoire et est effacée à la fermeture de Comptoir.</translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="526"/>
        <source>Privacy</source>
        <translation>Confidentialité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="528"/>
        <source>Everything Comptoir holds is in one encrypted database on this computer.</source>
        <translation>Toutes les données de Comptoir se trouvent dans une seule base de données chiffrée, sur cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="531"/>
        <source>Counting…</source>
        <translation>Décompte en cours…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="536"/>
        <source>Coming next: export everything or one customer&apos;s data in one click, erase everything or one customer, retention rules, and the ledger of every byte sent to a provider.</source>
        <translation>Prochainement&#xa0;: export de toutes les données ou de celles d’un client en un clic, effacement de tout ou d’un seul client, règles de conservation et registre de chaque octet envoyé à un fournisseur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="547"/>
        <source>Held: {threads} conversations, {messages} messages, {customers} customers, {orders} orders, {chats} chats. Size on disk: {size}.</source>
        <translation>Contenu&#xa0;: {threads} conversations, {messages} messages, {customers} clients, {orders} commandes, {chats} discussions. Taille sur le disque&#xa0;: {size}.</translation>
    </message>
</context>
<context>
    <name>ProtectionPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="81"/>
        <source>Protect your workspace</source>
        <translation>Protégez votre espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="83"/>
        <source>Checking this computer&apos;s keyring…</source>
        <translation>Vérification du trousseau de clés du système…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="87"/>
        <source>Use a passphrase instead of the system keyring</source>
        <translation>Utiliser une phrase secrète plutôt que le trousseau de clés du système</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="100"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="101"/>
        <source>Again</source>
        <translation>Confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="124"/>
        <source>Your workspace key will be kept in this computer&apos;s keyring ({backend}). Comptoir will open without asking for a password.</source>
        <translation>La clé de votre espace de travail sera conservée dans le trousseau de clés du système de cet ordinateur ({backend}). Comptoir s’ouvrira sans vous demander de mot de passe.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="129"/>
        <source>Choose a passphrase to protect your workspace. {reason} You will type the passphrase each time Comptoir opens. At least {n} characters.</source>
        <translation>Choisissez une phrase secrète pour protéger votre espace de travail. {reason} Vous devrez la saisir à chaque ouverture de Comptoir. {n} caractères au minimum.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="171"/>
        <source>Creating your encrypted workspace…</source>
        <translation>Création de votre espace de travail chiffré…</translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="198"/>
        <source>Save your recovery key</source>
        <translation>Conservez votre clé de récupération</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="201"/>
        <source>This key opens your workspace if this computer&apos;s keyring is reset, if you forget your passphrase or when you move to a new computer. It is shown only now. Write it down or print it, and keep it somewhere safe, away from this computer.</source>
        <translation>Cette clé ouvre votre espace de travail si le trousseau de clés du système est réinitialisé, si vous oubliez votre phrase secrète ou lorsque vous changez d’ordinateur. Elle ne sera plus jamais affichée. Notez-la ou imprimez-la, et conservez-la en lieu sûr, à l’écart de cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="215"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="218"/>
        <source>I have saved my recovery key somewhere safe</source>
        <translation>J’ai conservé ma clé de récupération en lieu sûr</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="468"/>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="469"/>
        <source>How many conversations you receive and answer, by topic and by week.</source>
        <translation>Le nombre de conversations que vous recevez et auxquelles vous répondez, par sujet et par semaine.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="470"/>
        <source>Which questions come back most often, to improve your shop pages and templates.</source>
        <translation>Les questions qui reviennent le plus souvent, pour améliorer les pages de votre boutique et vos modèles de réponse.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="560"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="566"/>
        <source>Secrets protected by</source>
        <translation>Secrets protégés par</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="570"/>
        <source>Workspace folder</source>
        <translation>Dossier de l’espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="573"/>
        <source>Same as the system</source>
        <translation>Identique au système</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="576"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="578"/>
        <source>Mail accounts</source>
        <translation>Comptes de messagerie</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="581"/>
        <source>Shops</source>
        <translation>Boutiques</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="612"/>
        <source>Saved. The new language applies the next time Comptoir starts.</source>
        <translation>Enregistré. La nouvelle langue s’appliquera au prochain démarrage de Comptoir.</translation>
    </message>
</context>
<context>
    <name>ShopDialog</name>
    <message>
        <location filename="../../desktop/ui/shops.py" line="34"/>
        <source>Connect a shop</source>
        <translation>Connecter une boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="51"/>
        <source>Shop domain</source>
        <translation>Domaine de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="52"/>
        <source>Admin API access token</source>
        <translation>Jeton d’accès à l’API Admin</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="53"/>
        <source>or, for a Dev Dashboard app:</source>
        <translation>ou, pour une application du Dev Dashboard&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="54"/>
        <source>Client ID</source>
        <translation>Identifiant client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="55"/>
        <source>Client secret</source>
        <translation>Secret client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="65"/>
        <source>Site address</source>
        <translation>Adresse du site</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="66"/>
        <source>Consumer key</source>
        <translation>Clé client (consumer key)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="67"/>
        <source>Consumer secret</source>
        <translation>Secret client (consumer secret)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="98"/>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
</context>
<context>
    <name>ShopsPanel</name>
    <message>
        <location filename="../../desktop/ui/shops.py" line="115"/>
        <source>Connect a shop…</source>
        <translation>Connecter une boutique…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="116"/>
        <source>Test</source>
        <translation>Tester</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="117"/>
        <source>Disconnect…</source>
        <translation>Déconnecter…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="140"/>
        <source>No shop connected yet.</source>
        <translation>Aucune boutique connectée pour l’instant.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="167"/>
        <source>Disconnect shop</source>
        <translation>Déconnecter la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/shops.py" line="168"/>
        <source>Disconnect {name}? Its cached orders are deleted from this computer; nothing changes in the shop.</source>
        <translation>Déconnecter {name}&#xa0;? Ses commandes en cache sont supprimées de cet ordinateur&#xa0;; rien ne change dans la boutique.</translation>
    </message>
</context>
<context>
    <name>ThreadListModel</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="38"/>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="71"/>
        <source>Unlock Comptoir</source>
        <translation>Déverrouiller Comptoir</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="82"/>
        <source>Type the passphrase of your workspace:</source>
        <translation>Saisissez la phrase secrète de votre espace de travail&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="91"/>
        <source>Type the recovery key you saved when the workspace was created:</source>
        <translation>Saisissez la clé de récupération conservée lors de la création de l’espace de travail&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="113"/>
        <source>Unlock</source>
        <translation>Déverrouiller</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="124"/>
        <source>Use my passphrase instead</source>
        <translation>Utiliser plutôt ma phrase secrète</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/dialogs.py" line="125"/>
        <source>I forgot my passphrase: use the recovery key</source>
        <translation>J’ai oublié ma phrase secrète&#xa0;: utiliser la clé de récupération</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="41"/>
        <source>Welcome to Comptoir</source>
        <translation>Bienvenue dans Comptoir</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="42"/>
        <source>Your customer mail, your orders and your assistant, on this computer only.</source>
        <translation>Vos e-mails clients, vos commandes et votre assistant, uniquement sur cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="45"/>
        <source>Comptoir keeps everything in an encrypted workspace on this computer. Nothing is sent to us: there is no Comptoir server.</source>
        <translation>Comptoir conserve tout dans un espace de travail chiffré sur cet ordinateur. Rien ne nous est envoyé&#xa0;: il n’existe aucun serveur Comptoir.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="50"/>
        <source>Create my workspace</source>
        <translation>Créer mon espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="51"/>
        <source>An encrypted workspace for your shop&apos;s mail, orders and drafts.</source>
        <translation>Un espace de travail chiffré pour les messages, les commandes et les brouillons de votre boutique.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="55"/>
        <source>Try the demo</source>
        <translation>Essayer la démo</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="56"/>
        <source>A fictional shop with customers, orders and conversations. Nothing to set up.</source>
        <translation>Une boutique fictive avec des clients, des commandes et des conversations. Rien à configurer.</translation>
    </message>
</context>
</TS>
