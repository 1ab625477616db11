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
        <location filename="../../desktop/ui/app.py" line="109"/>
        <source>Preparing the demo shop…</source>
        <translation>Préparation de la boutique de démonstration…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="123"/>
        <source>Choose a new passphrase for this workspace:</source>
        <translation>Choisissez une nouvelle phrase secrète pour cet espace de travail&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="167"/>
        <source>You already have a workspace. Restart Comptoir to open it.</source>
        <translation>Vous avez déjà un espace de travail. Redémarrez Comptoir pour l’ouvrir.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="186"/>
        <source>Erasing everything…</source>
        <translation>Effacement de toutes les données…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="219"/>
        <source>Everything was erased. Comptoir starts again as on its first day.</source>
        <translation>Tout a été effacé. Comptoir redémarre comme au premier jour.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/app.py" line="286"/>
        <source>Comptoir is already open with this data folder. Switch to its window.</source>
        <translation>Comptoir est déjà ouvert avec ce dossier de données. Basculez vers sa fenêtre.</translation>
    </message>
</context>
<context>
    <name>AssistantPage</name>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="148"/>
        <location filename="../../desktop/ui/assistant_page.py" line="429"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="165"/>
        <source>No AI model is set up yet, so the assistant cannot answer. Add one in Settings → Assistant: a local Ollama, LM Studio or llama.cpp server is found automatically.</source>
        <translation>Aucun modèle d’IA n’est encore configuré&#xa0;: l’assistant ne peut donc pas répondre. Ajoutez-en un dans Paramètres → Assistant&#xa0;: un serveur Ollama, LM Studio ou llama.cpp local est détecté automatiquement.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="175"/>
        <source>Open Settings</source>
        <translation>Ouvrir les paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="209"/>
        <source>Search conversations…</source>
        <translation>Rechercher dans les conversations…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="219"/>
        <source>New</source>
        <translation>Nouvelle</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="221"/>
        <source>Rename</source>
        <translation>Renommer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="223"/>
        <source>Delete…</source>
        <translation>Supprimer…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="242"/>
        <source>Ask the assistant about your customers, orders and mail, or ask it to write for you.</source>
        <translation>Interrogez l’assistant sur vos clients, vos commandes et vos messages, ou demandez-lui de rédiger pour vous.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="262"/>
        <source>Write a message… (Enter sends, Shift+Enter starts a new line)</source>
        <translation>Rédigez un message… (Entrée pour envoyer, Maj+Entrée pour aller à la ligne)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="272"/>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="274"/>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="298"/>
        <source>This week&apos;s open conversations by intent</source>
        <translation>Conversations en cours cette semaine, par sujet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="299"/>
        <source>Write an announcement for a shipping delay</source>
        <translation>Rédiger une annonce pour un retard de livraison</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="300"/>
        <source>Summarise what a customer has asked us and their orders</source>
        <translation>Résumer les demandes d’un client et ses commandes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="301"/>
        <source>Draft a short newsletter for our new products</source>
        <translation>Rédiger une courte newsletter pour nos nouveaux produits</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="302"/>
        <source>Write a clear returns policy for our shop</source>
        <translation>Rédiger des conditions de retour claires pour notre boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="328"/>
        <source>Model: {model} ({name})</source>
        <translation>Modèle&#xa0;: {model} ({name})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="337"/>
        <source>No AI model is set up yet. {kind} is running on this computer with the model {model}: use it? Nothing leaves this computer.</source>
        <translation>Aucun modèle d’IA n’est encore configuré. {kind} fonctionne sur cet ordinateur avec le modèle {model} : l’utiliser ? Rien ne quitte cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="340"/>
        <source>Use {model}</source>
        <translation>Utiliser {model}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="374"/>
        <source>{n} message(s), last on {date}</source>
        <translation>{n} message(s), dernier le {date}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="429"/>
        <source>You</source>
        <translation>Vous</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="493"/>
        <source>Delete conversation</source>
        <translation>Supprimer la conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="494"/>
        <source>Delete the conversation “{title}”?</source>
        <translation>Supprimer la conversation «&#xa0;{title}&#xa0;»&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="497"/>
        <source>It is erased from this computer; this cannot be undone.</source>
        <translation>Elle sera effacée de cet ordinateur&#xa0;; cette action est irréversible.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="534"/>
        <source>The assistant is writing…</source>
        <translation>L’assistant rédige…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="582"/>
        <source>[Stopped — this partial answer is not kept.]</source>
        <translation>[Arrêté — cette réponse partielle n’est pas conservée.]</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="583"/>
        <location filename="../../desktop/ui/assistant_page.py" line="612"/>
        <source>Stopped.</source>
        <translation>Arrêté.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_page.py" line="591"/>
        <source>Used: {tools}</source>
        <translation>Outils utilisés&#xa0;: {tools}</translation>
    </message>
</context>
<context>
    <name>AssistantSettings</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="845"/>
        <source>AI providers</source>
        <translation>Fournisseurs d’IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="845"/>
        <source>Shop profile</source>
        <translation>Profil de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="846"/>
        <source>Templates</source>
        <translation>Modèles de réponse</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="846"/>
        <source>Drafting</source>
        <translation>Rédaction</translation>
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
        <location filename="../../desktop/ui/models.py" line="171"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="171"/>
        <source>E-mail addresses</source>
        <translation>Adresses e-mail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="171"/>
        <source>Threads</source>
        <translation>Conversations</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="171"/>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="172"/>
        <source>No AI processing</source>
        <translation>Sans traitement IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="190"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
</context>
<context>
    <name>CustomersPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="589"/>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="592"/>
        <source>Find a customer by name or address…</source>
        <translation>Trouver un client par son nom ou son adresse…</translation>
    </message>
</context>
<context>
    <name>DetectedDialog</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="220"/>
        <source>Model servers on this computer</source>
        <translation>Serveurs de modèles sur cet ordinateur</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="223"/>
        <source>Comptoir found these servers. Choose one to add it:</source>
        <translation>Comptoir a trouvé ces serveurs. Choisissez celui à ajouter&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="228"/>
        <source>{kind} at {url} — models: {models}</source>
        <translation>{kind} sur {url} — modèles&#xa0;: {models}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="229"/>
        <source>none loaded</source>
        <translation>aucun chargé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="233"/>
        <source>Add…</source>
        <translation>Ajouter…</translation>
    </message>
</context>
<context>
    <name>DraftingPanel</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="781"/>
        <source>Prepare drafts automatically when mail arrives (never sent)</source>
        <translation>Préparer automatiquement des brouillons à l’arrivée des messages (jamais envoyés)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="784"/>
        <source>Your instructions to the assistant</source>
        <translation>Vos instructions pour l’assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="788"/>
        <source>e.g. Always offer a 10% voucher for a late parcel. Never promise a delivery date.</source>
        <translation>p. ex. Toujours offrir un bon de réduction de 10&#xa0;% pour un colis en retard. Ne jamais promettre de date de livraison.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="795"/>
        <source>Save instructions</source>
        <translation>Enregistrer les instructions</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="821"/>
        <location filename="../../desktop/ui/assistant_settings.py" line="828"/>
        <source>Saved.</source>
        <translation>Enregistré.</translation>
    </message>
</context>
<context>
    <name>EraseEverythingDialog</name>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1223"/>
        <location filename="../../desktop/ui/privacy_page.py" line="1264"/>
        <source>Erase everything</source>
        <translation>Tout effacer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1224"/>
        <source>ERASE</source>
        <comment>the word the merchant types to confirm erasing everything</comment>
        <translation>EFFACER</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1226"/>
        <source>This erases from this computer, for good:</source>
        <translation>Ceci efface définitivement de cet ordinateur&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1231"/>
        <source>the workspace key, from this computer&apos;s keyring;</source>
        <translation>la clé de l’espace de travail, dans le trousseau de clés du système de cet ordinateur&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1232"/>
        <source>the workspace key file that your passphrase protects;</source>
        <translation>le fichier de clé de l’espace de travail protégé par votre phrase secrète&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1233"/>
        <source>the workspace key;</source>
        <translation>la clé de l’espace de travail&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1235"/>
        <source>the encrypted database: all mail and conversations, customers, cached orders, drafts, assistant chats, templates, settings, mailbox and shop connections, and the egress ledger;</source>
        <translation>la base de données chiffrée&#xa0;: tous les messages et conversations, les clients, les commandes en cache, les brouillons, les discussions avec l’assistant, les modèles de réponse, les paramètres, les connexions aux boîtes aux lettres et aux boutiques, ainsi que le registre des envois&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1238"/>
        <source>backups made before upgrades, attachments you opened, caches and logs;</source>
        <translation>les sauvegardes faites avant les mises à jour, les pièces jointes que vous avez ouvertes, les caches et les journaux&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1239"/>
        <source>exports still being written (finished exports you saved elsewhere stay: delete them yourself);</source>
        <translation>les exports en cours d’écriture (les exports terminés que vous avez enregistrés ailleurs sont conservés&#xa0;: supprimez-les vous-même)&#xa0;;</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1241"/>
        <source>the demo shop, if you tried it.</source>
        <translation>la boutique de démonstration, si vous l’avez essayée.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1245"/>
        <source>Your mail server and your shop keep their own copies: nothing changes there, unless you tick the box below.</source>
        <translation>Votre serveur de messagerie et votre boutique conservent leurs propres copies&#xa0;: rien n’y change, sauf si vous cochez la case ci-dessous.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1248"/>
        <source>On SSDs and modern file systems deleted files cannot reliably be overwritten. Comptoir&apos;s erasure is crypto-erasure: the key that encrypts the database is destroyed, so whatever the disk still holds is ciphertext that nobody can decrypt any more. A recovery key you wrote down matches that ciphertext: destroy it too.</source>
        <translation>Sur les SSD et les systèmes de fichiers modernes, les fichiers supprimés ne peuvent pas être écrasés de manière fiable. L’effacement de Comptoir est un effacement cryptographique&#xa0;: la clé qui chiffre la base de données est détruite, de sorte que ce que le disque contient encore n’est plus qu’un texte chiffré que personne ne peut déchiffrer. Une clé de récupération que vous avez notée permet de lire ce texte chiffré&#xa0;: détruisez-la aussi.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1252"/>
        <source>Comptoir then starts again as on its first day. This cannot be undone.</source>
        <translation>Comptoir redémarre ensuite comme au premier jour. Cette action est irréversible.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1254"/>
        <source>Also remove Comptoir&apos;s drafts from the mailbox&apos;s Drafts folder (the mail server must be reachable)</source>
        <translation>Supprimer aussi les brouillons de Comptoir du dossier Brouillons de la boîte aux lettres (le serveur de messagerie doit être joignable)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1257"/>
        <source>To confirm, type {word} below:</source>
        <translation>Pour confirmer, saisissez {word} ci-dessous&#xa0;:</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="317"/>
        <source>Comptoir — first start</source>
        <translation>Comptoir — premier démarrage</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="327"/>
        <source>Open Comptoir</source>
        <translation>Ouvrir Comptoir</translation>
    </message>
</context>
<context>
    <name>InboxPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="90"/>
        <source>Inbox</source>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="95"/>
        <source>Check mail</source>
        <translation>Relever le courrier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="99"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="110"/>
        <source>Search mail, customers, order or tracking numbers…</source>
        <translation>Rechercher des messages, des clients, des numéros de commande ou de suivi…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="114"/>
        <source>All topics</source>
        <translation>Tous les sujets</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="115"/>
        <source>Not sorted yet</source>
        <translation>Pas encore trié</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="153"/>
        <source>Show formatted mail (no remote content)</source>
        <translation>Afficher le message mis en forme (sans contenu distant)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="161"/>
        <source>Select a conversation to read it.</source>
        <translation>Sélectionnez une conversation pour la lire.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="185"/>
        <source>Write your reply…</source>
        <translation>Rédigez votre réponse…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="196"/>
        <source>Save to Drafts</source>
        <translation>Enregistrer dans les brouillons</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="198"/>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="244"/>
        <source>No mailbox connected yet (Settings).</source>
        <translation>Aucune boîte aux lettres connectée (Paramètres).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="262"/>
        <source>New mail.</source>
        <translation>Nouveaux messages.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="311"/>
        <source>Checking mail…</source>
        <translation>Relève du courrier…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="319"/>
        <source>Up to date: {n} new message(s).</source>
        <translation>À jour&#xa0;: {n} nouveau(x) message(s).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="327"/>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="394"/>
        <source>Write a reply first.</source>
        <translation>Rédigez d’abord une réponse.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="401"/>
        <source>Checking the reply…</source>
        <translation>Vérification de la réponse…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="411"/>
        <source>Waiting for your confirmation…</source>
        <translation>En attente de votre confirmation…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="423"/>
        <source>Not sent. Edit the reply, then try again.</source>
        <translation>Non envoyé. Modifiez la réponse, puis réessayez.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="427"/>
        <source>Sending…</source>
        <translation>Envoi…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="427"/>
        <source>Saving to Drafts…</source>
        <translation>Enregistrement dans les brouillons…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="431"/>
        <source>Sent. A copy is in your Sent folder.</source>
        <translation>Envoyé. Une copie se trouve dans votre dossier Envoyés.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="432"/>
        <source>Saved in your mailbox&apos;s Drafts folder.</source>
        <translation>Enregistré dans le dossier Brouillons de votre boîte aux lettres.</translation>
    </message>
</context>
<context>
    <name>LedgerModel</name>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1048"/>
        <source>Time</source>
        <translation>Date et heure</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1048"/>
        <source>Destination</source>
        <translation>Destination</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1048"/>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1048"/>
        <source>Purpose</source>
        <translation>Finalité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1049"/>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1049"/>
        <source>Data</source>
        <translation>Données</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1049"/>
        <source>Sent</source>
        <translation>Envoyé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1049"/>
        <source>Received</source>
        <translation>Reçu</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1050"/>
        <source>Pseudonymised</source>
        <translation>Pseudonymisé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1050"/>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1078"/>
        <source>yes</source>
        <translation>oui</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1078"/>
        <source>no</source>
        <translation>non</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="44"/>
        <source> — demo shop</source>
        <translation> — boutique de démonstration</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="55"/>
        <source>You are looking at a demo shop with fictional customers. Nothing here is real.</source>
        <translation>Vous consultez une boutique de démonstration avec des clients fictifs. Rien ici n’est réel.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="57"/>
        <source>Create my workspace</source>
        <translation>Créer mon espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="70"/>
        <source>Inbox</source>
        <translation>Boîte de réception</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="71"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="72"/>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="73"/>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="74"/>
        <source>Privacy</source>
        <translation>Confidentialité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="75"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/main_window.py" line="91"/>
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
        <location filename="../../desktop/ui/pages.py" line="519"/>
        <source>, {total} {currency} spent</source>
        <translation>, {total} {currency} dépensés</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="523"/>
        <source>{n} order(s)</source>
        <translation>{n} commande(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="525"/>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="544"/>
        <source>Hidden or invisible text was removed from this message; it was not written for you.</source>
        <translation>Du texte caché ou invisible a été retiré de ce message&#xa0;: il ne vous était pas destiné.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="555"/>
        <source>Attachments</source>
        <translation>Pièces jointes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="623"/>
        <source>The workspace key is kept in this computer&apos;s keyring ({backend}).</source>
        <translation>La clé de l’espace de travail est conservée dans le trousseau de clés du système de cet ordinateur ({backend}).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="626"/>
        <source>The workspace key is protected by your passphrase (Argon2id).</source>
        <translation>La clé de l’espace de travail est protégée par votre phrase secrète (Argon2id).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="627"/>
        <source>Demo workspace: its key exists only in memory and is forgotten when Comptoir closes.</source>
        <translation>Espace de travail de démonstration&#xa0;: sa clé n’existe qu’en mémoire et est effacée à la fermeture de Comptoir.</translation>
    </message>
</context>
<context>
    <name>PrivacyPage</name>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="176"/>
        <source>Privacy</source>
        <translation>Confidentialité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="203"/>
        <source>What Comptoir holds</source>
        <translation>Ce que Comptoir conserve</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="205"/>
        <source>Everything below is in one encrypted database on this computer (SQLCipher, AES-256). There is no Comptoir server: nothing is kept anywhere else.</source>
        <translation>Tout ce qui suit se trouve dans une seule base de données chiffrée, sur cet ordinateur (SQLCipher, AES-256). Il n’existe aucun serveur Comptoir&#xa0;: rien n’est conservé ailleurs.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="218"/>
        <source>Held: {threads} conversations with {messages} messages and {attachments} attachments, {customers} customers, {orders} cached orders, {drafts} drafts, {chats} assistant chats, {ledger} ledger entries. Size on disk: {size}.</source>
        <translation>Contenu&#xa0;: {threads} conversations avec {messages} messages et {attachments} pièces jointes, {customers} clients, {orders} commandes en cache, {drafts} brouillons, {chats} discussions avec l’assistant, {ledger} entrées du registre. Taille sur le disque&#xa0;: {size}.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="229"/>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="231"/>
        <source>One file with everything: every table as JSON, your mail as mbox files with the original messages and attachments, the assistant chats and the egress ledger. Use it to answer a request, keep an archive, or move to a new computer (Comptoir offers to import it on its first start there).</source>
        <translation>Un seul fichier avec tout&#xa0;: chaque table au format JSON, vos messages en fichiers mbox avec les messages d’origine et leurs pièces jointes, les discussions avec l’assistant et le registre des envois. Utilisez-le pour répondre à une demande, conserver une archive ou passer à un nouvel ordinateur (Comptoir proposera de l’importer lors de son premier démarrage sur celui-ci).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="234"/>
        <source>Encrypt with a passphrase</source>
        <translation>Chiffrer avec une phrase secrète</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="246"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="247"/>
        <source>Again</source>
        <translation>Confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="252"/>
        <source>Include passwords and API keys</source>
        <translation>Inclure les mots de passe et les clés d’API</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="256"/>
        <source>The file will hold your mailbox passwords, shop tokens and AI provider keys: anyone who gets it can use them. Encrypt it, or leave this unticked and type them again after an import.</source>
        <translation>Le fichier contiendra les mots de passe de vos boîtes aux lettres, les jetons de vos boutiques et les clés de vos fournisseurs d’IA&#xa0;: toute personne qui l’obtient pourra les utiliser. Chiffrez-le, ou laissez cette case décochée et saisissez-les de nouveau après l’importation.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="263"/>
        <source>Export everything…</source>
        <translation>Tout exporter…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="270"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="297"/>
        <source>At least {n} characters. Without it nobody can open the file, you included.</source>
        <translation>{n} caractères au minimum. Sans elle, personne ne peut ouvrir le fichier, pas même vous.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="300"/>
        <source>The two passphrases differ.</source>
        <translation>Les deux phrases secrètes ne correspondent pas.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="317"/>
        <source>Encrypted Comptoir export (*{suffix})</source>
        <translation>Export Comptoir chiffré (*{suffix})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="318"/>
        <location filename="../../desktop/ui/privacy_page.py" line="631"/>
        <source>ZIP archive (*.zip)</source>
        <translation>Archive ZIP (*.zip)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="319"/>
        <source>Export everything</source>
        <translation>Tout exporter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="360"/>
        <source>Exported to {path} ({size}).</source>
        <translation>Exporté dans {path} ({size}).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="362"/>
        <source>This file is NOT encrypted: anyone who can read it can read your customers&apos; mail and orders. Keep it somewhere safe, or export again with a passphrase.</source>
        <translation>Ce fichier n’est PAS chiffré&#xa0;: toute personne qui peut le lire peut lire les messages et les commandes de vos clients. Conservez-le en lieu sûr, ou exportez de nouveau avec une phrase secrète.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="366"/>
        <source>It is encrypted with your passphrase: without it nobody can open it, you included.</source>
        <translation>Il est chiffré avec votre phrase secrète&#xa0;: sans elle, personne ne peut l’ouvrir, pas même vous.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="369"/>
        <source>It holds your passwords and API keys.</source>
        <translation>Il contient vos mots de passe et vos clés d’API.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="383"/>
        <source>Export cancelled. No file was left behind.</source>
        <translation>Export annulé. Aucun fichier n’a été laissé sur le disque.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="398"/>
        <source>One customer</source>
        <translation>Un client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="400"/>
        <source>When a customer asks what you hold about them, to correct it, to be left out, or to be forgotten: find them here.</source>
        <translation>Quand un client vous demande ce que vous détenez sur lui, de corriger ses données, de ne plus être sollicité ou d’être oublié&#xa0;: retrouvez-le ici.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="404"/>
        <source>Name, e-mail address or phone number…</source>
        <translation>Nom, adresse e-mail ou numéro de téléphone…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="422"/>
        <source>What</source>
        <translation>Élément</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="422"/>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="422"/>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="427"/>
        <source>No AI processing</source>
        <translation>Sans traitement IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="429"/>
        <source>Never send this customer&apos;s data to an AI provider (GDPR art. 18).</source>
        <translation>Ne jamais envoyer les données de ce client à un fournisseur d’IA (RGPD, art. 18).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="430"/>
        <source>No newsletters</source>
        <translation>Pas de newsletters</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="432"/>
        <source>Leave this customer out of newsletters (GDPR art. 21).</source>
        <translation>Exclure ce client des newsletters (RGPD, art. 21).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="438"/>
        <source>Export their data…</source>
        <translation>Exporter ses données…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="440"/>
        <source>Rectify…</source>
        <translation>Rectifier…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="442"/>
        <source>Erase this customer…</source>
        <translation>Effacer ce client…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="483"/>
        <source>{name} — {emails} ({threads} conversations, {orders} orders)</source>
        <translation>{name} — {emails} ({threads} conversations, {orders} commandes)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="484"/>
        <location filename="../../desktop/ui/privacy_page.py" line="548"/>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="484"/>
        <source>no address</source>
        <translation>aucune adresse</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="486"/>
        <source>no AI</source>
        <translation>sans IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="486"/>
        <source>no newsletters</source>
        <translation>sans newsletters</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="500"/>
        <source>No customer matches “{query}”.</source>
        <translation>Aucun client ne correspond à «&#xa0;{query}&#xa0;».</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="545"/>
        <source>{name} &lt;{emails}&gt;: {threads} conversations, {messages} messages, {attachments} attachments, {drafts} drafts, {orders} cached orders, {mentions} mentions in assistant chats, {ledger} ledger entries.</source>
        <translation>{name} &lt;{emails}&gt;&#xa0;: {threads} conversations, {messages} messages, {attachments} pièces jointes, {drafts} brouillons, {orders} commandes en cache, {mentions} mentions dans les discussions avec l’assistant, {ledger} entrées du registre.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="564"/>
        <source>Identity</source>
        <translation>Identité</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="565"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="565"/>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="566"/>
        <source>Last name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="566"/>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="567"/>
        <source>Addresses</source>
        <translation>Adresses e-mail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="571"/>
        <source>Conversations ({n})</source>
        <translation>Conversations ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="571"/>
        <source>{n} messages</source>
        <translation>{n} messages</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="573"/>
        <source>Messages ({n})</source>
        <translation>Messages ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="574"/>
        <source>Drafts ({n})</source>
        <translation>Brouillons ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="575"/>
        <source>Cached orders ({n})</source>
        <translation>Commandes en cache ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="577"/>
        <source>Mentions in assistant chats ({n})</source>
        <translation>Mentions dans les discussions avec l’assistant ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="579"/>
        <source>Ledger entries ({n})</source>
        <translation>Entrées du registre ({n})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="599"/>
        <source>on</source>
        <translation>activé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="599"/>
        <source>off</source>
        <translation>désactivé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="600"/>
        <source>Saved: no AI processing {ai}, no newsletters {news}.</source>
        <translation>Enregistré&#xa0;: «&#xa0;Sans traitement IA&#xa0;» {ai}, «&#xa0;Pas de newsletters&#xa0;» {news}.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="630"/>
        <source>Export this customer&apos;s data</source>
        <translation>Exporter les données de ce client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="643"/>
        <source>Their data is in {path} ({size}). This file is NOT encrypted: hand it to the customer by a safe way, then delete your copy.</source>
        <translation>Ses données se trouvent dans {path} ({size}). Ce fichier n’est PAS chiffré&#xa0;: transmettez-le au client par un moyen sûr, puis supprimez votre copie.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="647"/>
        <source>{n} messages that name other customers are left out of the mail files (they appear in the data with those names hidden).</source>
        <translation>{n} messages qui nomment d’autres clients sont exclus des fichiers de messages (ils figurent dans les données, avec ces noms masqués).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="655"/>
        <source>Exporting the customer&apos;s data…</source>
        <translation>Export des données du client…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="669"/>
        <source>Corrected.</source>
        <translation>Corrigé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="680"/>
        <source>Erase this customer</source>
        <translation>Effacer ce client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="681"/>
        <source>Erase everything held about {name}?</source>
        <translation>Effacer tout ce qui concerne {name}&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="686"/>
        <source>This erases {threads} conversations with {messages} messages and {attachments} attachments, {drafts} drafts, {orders} cached orders and their name, addresses and phone number. Their name and addresses are replaced by “[erased]” in {mentions} assistant chat messages; {ledger} ledger entries stay, without saying who they were about.</source>
        <translation>Cela efface {threads} conversations avec {messages} messages et {attachments} pièces jointes, {drafts} brouillons, {orders} commandes en cache, ainsi que son nom, ses adresses et son numéro de téléphone. Son nom et ses adresses sont remplacés par «&#xa0;[erased]&#xa0;» dans {mentions} messages de discussion avec l’assistant&#xa0;; {ledger} entrées du registre sont conservées, sans indiquer qui elles concernaient.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="692"/>
        <source>Then the database is rewritten under a new key (re-keyed), so nothing erased can be read back from the disk. Other customers are not touched. This cannot be undone.</source>
        <translation>La base de données est ensuite réécrite avec une nouvelle clé (rechiffrement), afin que rien de ce qui a été effacé ne puisse être relu sur le disque. Les autres clients ne sont pas touchés. Cette action est irréversible.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="695"/>
        <source>Your recovery key changes: the new one is shown once, have paper ready.</source>
        <translation>Votre clé de récupération va changer&#xa0;: la nouvelle ne sera affichée qu’une seule fois, préparez de quoi la noter.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="697"/>
        <source>Erase</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="713"/>
        <source>Erasing the customer and re-keying the database…</source>
        <translation>Effacement du client et rechiffrement de la base de données…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="724"/>
        <source>Erased: {messages} messages, {threads} conversations, {attachments} attachments, {drafts} drafts, {orders} cached orders; {chats} assistant chat messages redacted; {ledger} ledger entries anonymised. The database now uses a new key.</source>
        <translation>Effacé&#xa0;: {messages} messages, {threads} conversations, {attachments} pièces jointes, {drafts} brouillons, {orders} commandes en cache&#xa0;; {chats} messages de discussion avec l’assistant caviardés&#xa0;; {ledger} entrées du registre anonymisées. La base de données utilise désormais une nouvelle clé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="741"/>
        <source>Erase everything</source>
        <translation>Tout effacer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="743"/>
        <source>Erase the workspace, its key, its backups, caches and logs from this computer. Comptoir then starts again as on its first day. Export first if you want to keep anything.</source>
        <translation>Effacer de cet ordinateur l’espace de travail, sa clé, ses sauvegardes, ses caches et ses journaux. Comptoir redémarre ensuite comme au premier jour. Exportez d’abord vos données si vous souhaitez en conserver.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="746"/>
        <source>Erase everything…</source>
        <translation>Tout effacer…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="763"/>
        <source>Retention</source>
        <translation>Durées de conservation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="765"/>
        <source>Comptoir deletes old data by itself, when it starts and once a day. A conversation goes with its drafts and replies.</source>
        <translation>Comptoir supprime lui-même les anciennes données, à chaque démarrage et une fois par jour. Une conversation est supprimée avec ses brouillons et ses réponses.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="768"/>
        <location filename="../../desktop/ui/privacy_page.py" line="770"/>
        <source> months</source>
        <translation> mois</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="769"/>
        <source> days</source>
        <translation> jours</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="771"/>
        <source>Conversations, after the last message</source>
        <translation>Conversations, après le dernier message</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="772"/>
        <source>Cached orders, after they were fetched</source>
        <translation>Commandes en cache, après leur récupération</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="773"/>
        <source>Egress ledger entries</source>
        <translation>Entrées du registre des envois</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="776"/>
        <source>Preview next purge</source>
        <translation>Aperçu de la prochaine purge</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="778"/>
        <source>Purge now…</source>
        <translation>Purger maintenant…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="843"/>
        <source>Saved. The next purge uses these windows.</source>
        <translation>Enregistré. La prochaine purge appliquera ces durées.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="849"/>
        <source>{threads} conversations with {messages} messages, {attachments} attachments and {drafts} drafts (last message before {conversations}); {orders} cached orders (fetched before {orders_before}); {ledger} ledger entries (before {ledger_before}); {customers} customers with nothing left.</source>
        <translation>{threads} conversations avec {messages} messages, {attachments} pièces jointes et {drafts} brouillons (dernier message avant le {conversations})&#xa0;; {orders} commandes en cache (récupérées avant le {orders_before})&#xa0;; {ledger} entrées du registre (antérieures au {ledger_before})&#xa0;; {customers} clients sans plus aucune donnée.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="873"/>
        <source>The next purge removes: {what}</source>
        <translation>La prochaine purge supprimera&#xa0;: {what}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="884"/>
        <source>Nothing is older than your retention windows: nothing to purge.</source>
        <translation>Rien ne dépasse vos durées de conservation&#xa0;: rien à purger.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="886"/>
        <source>Purge now</source>
        <translation>Purger maintenant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="887"/>
        <source>Delete what is older than your retention windows now?</source>
        <translation>Supprimer dès maintenant ce qui dépasse vos durées de conservation&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="890"/>
        <source>This removes {what} It cannot be undone.</source>
        <translation>Seront supprimés&#xa0;: {what} Cette action est irréversible.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="892"/>
        <source>Purge</source>
        <translation>Purger</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="901"/>
        <source>Purging old data…</source>
        <translation>Purge des anciennes données…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="908"/>
        <source>Removed: {what}</source>
        <translation>Supprimé&#xa0;: {what}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="917"/>
        <source>Egress ledger</source>
        <translation>Registre des envois</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="919"/>
        <source>Every call that sent data off this computer — to your mail server, your shop, an AI provider: when, to whom, why, which kinds of data and how much.</source>
        <translation>Chaque appel qui a envoyé des données hors de cet ordinateur — vers votre serveur de messagerie, votre boutique, un fournisseur d’IA&#xa0;: quand, à qui, pourquoi, quels types de données et en quelle quantité.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="924"/>
        <location filename="../../desktop/ui/privacy_page.py" line="1002"/>
        <source>All destinations</source>
        <translation>Toutes les destinations</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="927"/>
        <source>From</source>
        <translation>Du</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="931"/>
        <source>To</source>
        <translation>Au</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="944"/>
        <source>Export CSV…</source>
        <translation>Exporter en CSV…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1010"/>
        <source>Nothing left this computer in this period.</source>
        <translation>Aucune donnée n’a quitté cet ordinateur sur cette période.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1013"/>
        <source>{destination}: {calls} calls, {sent} sent, {received} received.</source>
        <translation>{destination}&#xa0;: {calls} appels, {sent} envoyés, {received} reçus.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1021"/>
        <source>Export the ledger</source>
        <translation>Exporter le registre</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1022"/>
        <source>CSV file (*.csv)</source>
        <translation>Fichier CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1037"/>
        <source>Saved {n} entries to {path}.</source>
        <translation>{n} entrées enregistrées dans {path}.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1294"/>
        <source>Erased {workspaces} workspace(s): {files} files ({size}), {keyring} key(s) in the system keyring, {key_files} key file(s).</source>
        <translation>{workspaces} espace(s) de travail effacé(s)&#xa0;: {files} fichier(s) ({size}), {keyring} clé(s) dans le trousseau de clés du système, {key_files} fichier(s) de clé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1300"/>
        <source>There was no workspace to erase.</source>
        <translation>Il n’y avait aucun espace de travail à effacer.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1301"/>
        <source>Also removed: {cache} cache file(s), {logs} log file(s), {temp} temporary folder(s), {partials} unfinished export(s).</source>
        <translation>Également supprimés&#xa0;: {cache} fichier(s) de cache, {logs} fichier(s) journal, {temp} dossier(s) temporaire(s), {partials} export(s) inachevé(s).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1307"/>
        <source>Removed {n} of Comptoir&apos;s drafts from the mailbox&apos;s Drafts folder.</source>
        <translation>{n} brouillon(s) de Comptoir supprimé(s) du dossier Brouillons de la boîte aux lettres.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1310"/>
        <source>The key that encrypted your data was destroyed: whatever the disk still holds is ciphertext nobody can decrypt. Destroy the recovery key you wrote down, too.</source>
        <translation>La clé qui chiffrait vos données a été détruite&#xa0;: ce que le disque contient encore n’est plus qu’un texte chiffré que personne ne peut déchiffrer. Détruisez aussi la clé de récupération que vous aviez notée.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="208"/>
        <source>Counting…</source>
        <translation>Décompte en cours…</translation>
    </message>
</context>
<context>
    <name>ProtectionPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="100"/>
        <location filename="../../desktop/ui/wizard.py" line="178"/>
        <source>Protect your workspace</source>
        <translation>Protégez votre espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="102"/>
        <source>Checking this computer&apos;s keyring…</source>
        <translation>Vérification du trousseau de clés du système…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="106"/>
        <source>Use a passphrase instead of the system keyring</source>
        <translation>Utiliser une phrase secrète plutôt que le trousseau de clés du système</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="119"/>
        <source>Passphrase</source>
        <translation>Phrase secrète</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="120"/>
        <source>Again</source>
        <translation>Confirmation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="131"/>
        <source>Passphrase of the export</source>
        <translation>Phrase secrète de l’export</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="156"/>
        <source>Your workspace key will be kept in this computer&apos;s keyring ({backend}). Comptoir will open without asking for a password.</source>
        <translation>La clé de votre espace de travail sera conservée dans le trousseau de clés du système de cet ordinateur ({backend}). Comptoir s’ouvrira sans vous demander de mot de passe.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="161"/>
        <source>Choose a passphrase to protect your workspace. {reason} You will type the passphrase each time Comptoir opens. At least {n} characters.</source>
        <translation>Choisissez une phrase secrète pour protéger votre espace de travail. {reason} Vous devrez la saisir à chaque ouverture de Comptoir. {n} caractères au minimum.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="179"/>
        <source>Protect the imported workspace</source>
        <translation>Protégez l’espace de travail importé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="181"/>
        <source>{name} is encrypted: type the passphrase chosen when it was exported.</source>
        <translation>{name} est chiffré&#xa0;: saisissez la phrase secrète choisie lors de l’export.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="227"/>
        <source>Creating your encrypted workspace…</source>
        <translation>Création de votre espace de travail chiffré…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="228"/>
        <source>Importing your export into a new encrypted workspace…</source>
        <translation>Importation de votre export dans un nouvel espace de travail chiffré…</translation>
    </message>
</context>
<context>
    <name>ProviderDialog</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="75"/>
        <source>Add an AI provider</source>
        <translation>Ajouter un fournisseur d’IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="79"/>
        <source>Ollama (on this computer)</source>
        <translation>Ollama (sur cet ordinateur)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="80"/>
        <source>LM Studio (on this computer)</source>
        <translation>LM Studio (sur cet ordinateur)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="81"/>
        <source>llama.cpp server (on this computer)</source>
        <translation>Serveur llama.cpp (sur cet ordinateur)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="82"/>
        <source>OpenAI (cloud)</source>
        <translation>OpenAI (cloud)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="83"/>
        <source>Mistral AI (cloud)</source>
        <translation>Mistral AI (cloud)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="84"/>
        <source>Other OpenAI-compatible server</source>
        <translation>Autre serveur compatible OpenAI</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="93"/>
        <source>kept in your encrypted workspace</source>
        <translation>conservée dans votre espace de travail chiffré</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="96"/>
        <source>optional, e.g. “Ollama on this computer”</source>
        <translation>facultatif, p. ex. «&#xa0;Ollama sur cet ordinateur&#xa0;»</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="97"/>
        <source>for example llama3.1:8b</source>
        <translation>par exemple llama3.1:8b</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="98"/>
        <location filename="../../desktop/ui/assistant_settings.py" line="99"/>
        <source>same as for replies</source>
        <translation>identique à celui des réponses</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="100"/>
        <source>Load models</source>
        <translation>Charger les modèles</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="103"/>
        <source>Provider</source>
        <translation>Fournisseur</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="104"/>
        <source>Server address</source>
        <translation>Adresse du serveur</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="105"/>
        <source>API key</source>
        <translation>Clé d’API</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="106"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="110"/>
        <source>Model for replies</source>
        <translation>Modèle pour les réponses</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="111"/>
        <source>Model for sorting mail</source>
        <translation>Modèle pour le tri des messages</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="112"/>
        <source>Model for the chat</source>
        <translation>Modèle pour la discussion</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="116"/>
        <source>This server is not on this computer. Before anything is sent to it, personal data (names, e-mail and postal addresses, phone numbers, order and tracking numbers, bank and card numbers) is replaced by placeholders, and put back in its answers on this computer. Every call is recorded in the Privacy ledger.</source>
        <translation>Ce serveur ne se trouve pas sur cet ordinateur. Avant tout envoi, les données personnelles (noms, adresses e-mail et postales, numéros de téléphone, numéros de commande et de suivi, numéros bancaires et de carte) sont remplacées par des marqueurs, puis rétablies dans ses réponses sur cet ordinateur. Chaque appel est consigné dans le registre des envois (page Confidentialité).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="181"/>
        <source>Asking the server for its models…</source>
        <translation>Récupération de la liste des modèles du serveur…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="186"/>
        <source>✔ {n} model(s) available.</source>
        <translation>✔ {n} modèle(s) disponible(s).</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="188"/>
        <source>✘ The server lists no model. Download or load a model first.</source>
        <translation>✘ Le serveur ne propose aucun modèle. Téléchargez ou chargez d’abord un modèle.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="203"/>
        <source>Checking the server…</source>
        <translation>Vérification du serveur…</translation>
    </message>
</context>
<context>
    <name>ProvidersPanel</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="261"/>
        <source>The language model that drafts replies, sorts mail and answers in the chat. A model running on this computer (Ollama, LM Studio, llama.cpp) keeps everything here; a cloud provider only receives pseudonymised data.</source>
        <translation>Le modèle de langage qui rédige les brouillons de réponse, trie les messages et répond dans la discussion. Un modèle exécuté sur cet ordinateur (Ollama, LM Studio, llama.cpp) garde tout ici&#xa0;; un fournisseur cloud ne reçoit que des données pseudonymisées.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="269"/>
        <source>Add…</source>
        <translation>Ajouter…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="271"/>
        <source>Detect local servers</source>
        <translation>Détecter les serveurs locaux</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="273"/>
        <source>Test</source>
        <translation>Tester</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="275"/>
        <source>Make active</source>
        <translation>Définir comme actif</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="277"/>
        <source>Remove…</source>
        <translation>Retirer…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="302"/>
        <source>{name} — {model} at {url}</source>
        <translation>{name} — {model} sur {url}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="303"/>
        <source>(active)</source>
        <translation>(actif)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="313"/>
        <source>No AI provider yet: drafts come from your templates only.</source>
        <translation>Aucun fournisseur d’IA pour l’instant&#xa0;: les brouillons proviennent uniquement de vos modèles de réponse.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="335"/>
        <source>✔ Provider added; it is now the active one.</source>
        <translation>✔ Fournisseur ajouté&#xa0;; c’est désormais le fournisseur actif.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="341"/>
        <source>Looking for Ollama, LM Studio and llama.cpp on this computer…</source>
        <translation>Recherche d’Ollama, LM Studio et llama.cpp sur cet ordinateur…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="351"/>
        <source>No model server found on this computer. Start Ollama, LM Studio or a llama.cpp server, or add a provider by hand.</source>
        <translation>Aucun serveur de modèles trouvé sur cet ordinateur. Lancez Ollama, LM Studio ou un serveur llama.cpp, ou ajoutez un fournisseur manuellement.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="354"/>
        <source>Found {n} server(s) on this computer.</source>
        <translation>{n} serveur(s) trouvé(s) sur cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="370"/>
        <source>Select a provider first.</source>
        <translation>Sélectionnez d’abord un fournisseur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="374"/>
        <source>Testing {name}…</source>
        <translation>Test de {name}…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="392"/>
        <source>{name} is now the active provider.</source>
        <translation>{name} est désormais le fournisseur actif.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="403"/>
        <source>Remove provider</source>
        <translation>Retirer le fournisseur</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="404"/>
        <source>Remove {name}?</source>
        <translation>Retirer {name}&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="407"/>
        <source>Its address and API key are erased from this computer. Your drafts and conversations are kept.</source>
        <translation>Son adresse et sa clé d’API sont effacées de cet ordinateur. Vos brouillons et vos conversations sont conservés.</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1164"/>
        <source>Your new recovery key</source>
        <translation>Votre nouvelle clé de récupération</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1168"/>
        <source>The database was re-keyed: your old recovery key no longer opens this workspace, destroy it. This new key opens it if this computer&apos;s keyring is reset, if you forget your passphrase or when you move to a new computer. It is shown only now. Write it down or print it, and keep it somewhere safe, away from this computer.</source>
        <translation>La base de données a été rechiffrée&#xa0;: votre ancienne clé de récupération n’ouvre plus cet espace de travail, détruisez-la. Cette nouvelle clé l’ouvre si le trousseau de clés du système est réinitialisé, si vous oubliez votre phrase secrète ou lorsque vous changez d’ordinateur. Elle ne sera plus jamais affichée. Notez-la ou imprimez-la, et conservez-la en lieu sûr, à l’écart de cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1183"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1186"/>
        <source>I have saved my new recovery key somewhere safe</source>
        <translation>J’ai conservé ma nouvelle clé de récupération en lieu sûr</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1191"/>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="256"/>
        <source>Save your recovery key</source>
        <translation>Conservez votre clé de récupération</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="259"/>
        <source>This key opens your workspace if this computer&apos;s keyring is reset, if you forget your passphrase or when you move to a new computer. It is shown only now. Write it down or print it, and keep it somewhere safe, away from this computer.</source>
        <translation>Cette clé ouvre votre espace de travail si le trousseau de clés du système est réinitialisé, si vous oubliez votre phrase secrète ou lorsque vous changez d’ordinateur. Elle ne sera plus jamais affichée. Notez-la ou imprimez-la, et conservez-la en lieu sûr, à l’écart de cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="273"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="276"/>
        <source>I have saved my recovery key somewhere safe</source>
        <translation>J’ai conservé ma clé de récupération en lieu sûr</translation>
    </message>
</context>
<context>
    <name>RectifyDialog</name>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1098"/>
        <source>Rectify a customer</source>
        <translation>Rectifier les données d’un client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1111"/>
        <source>Name shown</source>
        <translation>Nom affiché</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1112"/>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1113"/>
        <source>Last name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/privacy_page.py" line="1114"/>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
</context>
<context>
    <name>ReplyAssistant</name>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="185"/>
        <source>Check this reply</source>
        <translation>Vérifiez cette réponse</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="65"/>
        <source>An e-mail address that is not this customer&apos;s or the shop&apos;s</source>
        <translation>Une adresse e-mail qui n’est ni celle de ce client ni celle de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="66"/>
        <source>A phone number that is not this customer&apos;s or the shop&apos;s</source>
        <translation>Un numéro de téléphone qui n’est ni celui de ce client ni celui de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="67"/>
        <source>An order number that is not one of this customer&apos;s orders</source>
        <translation>Un numéro de commande qui ne correspond à aucune commande de ce client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="68"/>
        <source>A tracking number that is not one of this customer&apos;s parcels</source>
        <translation>Un numéro de suivi qui ne correspond à aucun colis de ce client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="69"/>
        <source>A link that is not in the conversation, the orders or your shop profile</source>
        <translation>Un lien absent de la conversation, des commandes et du profil de votre boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="75"/>
        <source>{explanation}: {value}</source>
        <translation>{explanation}&#xa0;: {value}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="82"/>
        <source>Text hidden in the customer&apos;s mail (invisible to you) was left out of what the assistant read.</source>
        <translation>Du texte caché dans le message du client (invisible pour vous) a été écarté de ce que l’assistant a lu.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="86"/>
        <source>{n} invisible character(s) were removed from the customer&apos;s mail before the assistant read it.</source>
        <translation>{n} caractère(s) invisible(s) retiré(s) du message du client avant sa lecture par l’assistant.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="90"/>
        <source>This customer asked that their data not be processed by AI: the draft comes from a template, and nothing was sent to any AI provider.</source>
        <translation>Ce client a demandé que ses données ne soient pas traitées par une IA&#xa0;: le brouillon provient d’un modèle de réponse, et rien n’a été envoyé à un fournisseur d’IA.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="94"/>
        <source>No template matches this conversation and no AI provider is configured.</source>
        <translation>Aucun modèle de réponse ne correspond à cette conversation et aucun fournisseur d’IA n’est configuré.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="103"/>
        <source>{n} message(s)</source>
        <translation>{n} message(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="109"/>
        <source>orders {numbers}</source>
        <translation>commandes {numbers}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="111"/>
        <source>shipping policy</source>
        <translation>conditions de livraison</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="112"/>
        <source>returns policy</source>
        <translation>conditions de retour</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="113"/>
        <source>refunds policy</source>
        <translation>conditions de remboursement</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="114"/>
        <source>tone</source>
        <translation>ton</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="115"/>
        <source>FAQ</source>
        <translation>FAQ</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="116"/>
        <source>signature</source>
        <translation>signature</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="121"/>
        <source>template “{name}”</source>
        <translation>modèle «&#xa0;{name}&#xa0;»</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="124"/>
        <source>model {model} ({host})</source>
        <translation>modèle {model} ({host})</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="126"/>
        <source>pseudonymised</source>
        <translation>pseudonymisé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="128"/>
        <source>model {model} (local)</source>
        <translation>modèle {model} (local)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="130"/>
        <source>no AI</source>
        <translation>sans IA</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="133"/>
        <source>{n} request(s) of the model refused</source>
        <translation>{n} demande(s) du modèle refusée(s)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="136"/>
        <source>Grounded on: {parts}</source>
        <translation>Basé sur&#xa0;: {parts}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="186"/>
        <source>This reply contains details that may not belong to this customer:</source>
        <translation>Cette réponse contient des éléments qui ne concernent peut-être pas ce client&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="189"/>
        <source>Send anyway</source>
        <translation>Envoyer quand même</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="190"/>
        <source>Save anyway</source>
        <translation>Enregistrer quand même</translation>
    </message>
</context>
<context>
    <name>ReplyAssistantBar</name>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="247"/>
        <location filename="../../desktop/ui/drafting.py" line="345"/>
        <source>Draft with assistant</source>
        <translation>Rédiger avec l’assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="256"/>
        <source>Shorter</source>
        <translation>Plus courte</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="256"/>
        <source>More formal</source>
        <translation>Plus formelle</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="256"/>
        <source>Friendlier</source>
        <translation>Plus chaleureuse</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="261"/>
        <source>How to change it…</source>
        <translation>Comment la modifier…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="263"/>
        <source>Regenerate</source>
        <translation>Régénérer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="267"/>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="272"/>
        <source>What will be sent</source>
        <translation>Ce qui sera envoyé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="345"/>
        <source>Draft from template</source>
        <translation>Rédiger depuis un modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="376"/>
        <source>Check before sending:</source>
        <translation>À vérifier avant l’envoi&#xa0;:</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="420"/>
        <source>The assistant is writing…</source>
        <translation>L’assistant rédige…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="420"/>
        <source>Filling in the template…</source>
        <translation>Remplissage du modèle…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="485"/>
        <source>Cancelled — your previous draft was kept.</source>
        <translation>Annulé — votre brouillon précédent a été conservé.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="519"/>
        <source>Nothing to start from: write the reply yourself.</source>
        <translation>Aucune base de départ&#xa0;: rédigez la réponse vous-même.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="521"/>
        <source>Draft ready. Some details were flagged: check them before sending.</source>
        <translation>Brouillon prêt. Certains éléments ont été signalés&#xa0;: vérifiez-les avant l’envoi.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="523"/>
        <source>Draft ready. Read it before you send it: nothing is sent without you.</source>
        <translation>Brouillon prêt. Relisez-le avant de l’envoyer&#xa0;: rien n’est envoyé sans votre accord.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="532"/>
        <source>Your previous draft was kept.</source>
        <translation>Votre brouillon précédent a été conservé.</translation>
    </message>
</context>
<context>
    <name>ReportsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="578"/>
        <source>Reports</source>
        <translation>Rapports</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="579"/>
        <source>How many conversations you receive and answer, by topic and by week.</source>
        <translation>Le nombre de conversations que vous recevez et auxquelles vous répondez, par sujet et par semaine.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="580"/>
        <source>Which questions come back most often, to improve your shop pages and templates.</source>
        <translation>Les questions qui reviennent le plus souvent, pour améliorer les pages de votre boutique et vos modèles de réponse.</translation>
    </message>
</context>
<context>
    <name>RequestPreviewDialog</name>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="147"/>
        <source>What will be sent</source>
        <translation>Ce qui sera envoyé</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="169"/>
        <source>No AI provider is configured: nothing is sent; drafts come from your templates.</source>
        <translation>Aucun fournisseur d’IA n’est configuré&#xa0;: rien n’est envoyé&#xa0;; les brouillons proviennent de vos modèles de réponse.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="171"/>
        <source>Nothing is sent to {provider} for this conversation.</source>
        <translation>Rien n’est envoyé à {provider} pour cette conversation.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="173"/>
        <source>This is exactly what would be sent to {host}. Personal data is replaced by placeholders and put back only on this computer.</source>
        <translation>Voici exactement ce qui serait envoyé à {host}. Les données personnelles sont remplacées par des marqueurs et rétablies uniquement sur cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="175"/>
        <source>This is exactly what would be sent to the model running on this computer ({host}); nothing leaves it.</source>
        <translation>Voici exactement ce qui serait envoyé au modèle exécuté sur cet ordinateur ({host})&#xa0;; rien n’en sort.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../desktop/ui/pages.py" line="649"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="655"/>
        <source>Secrets protected by</source>
        <translation>Secrets protégés par</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="659"/>
        <source>Workspace folder</source>
        <translation>Dossier de l’espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="662"/>
        <source>Same as the system</source>
        <translation>Identique au système</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="665"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="667"/>
        <source>Mail accounts</source>
        <translation>Comptes de messagerie</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="670"/>
        <source>Shops</source>
        <translation>Boutiques</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="673"/>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages.py" line="705"/>
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
    <name>ShopProfilePanel</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="432"/>
        <source>The assistant answers from these facts and never invents a policy.</source>
        <translation>L’assistant s’appuie sur ces informations pour répondre et n’invente jamais de conditions.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="441"/>
        <source>e.g. warm and concise, first names, no jargon</source>
        <translation>p. ex. chaleureux et concis, appel par le prénom, sans jargon</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="449"/>
        <source>Shop name</source>
        <translation>Nom de la boutique</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="450"/>
        <source>Website</source>
        <translation>Site web</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="451"/>
        <source>Tone</source>
        <translation>Ton</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="452"/>
        <source>Languages you answer in</source>
        <translation>Langues de vos réponses</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="453"/>
        <source>Signature</source>
        <translation>Signature</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="454"/>
        <source>Shipping policy</source>
        <translation>Conditions de livraison</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="455"/>
        <source>Returns policy</source>
        <translation>Conditions de retour</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="456"/>
        <source>Refunds policy</source>
        <translation>Conditions de remboursement</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="458"/>
        <source>Frequent questions</source>
        <translation>Questions fréquentes</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="461"/>
        <source>Question</source>
        <translation>Question</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="461"/>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="468"/>
        <source>Add a question</source>
        <translation>Ajouter une question</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="469"/>
        <source>Remove the question</source>
        <translation>Retirer la question</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="470"/>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="547"/>
        <source>Saved.</source>
        <translation>Enregistré.</translation>
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
    <name>TemplatesPanel</name>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="577"/>
        <source>New</source>
        <translation>Nouveau</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="579"/>
        <source>Copy to edit</source>
        <translation>Copier pour modifier</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="591"/>
        <source>Any conversation</source>
        <translation>Toute conversation</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="603"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="604"/>
        <source>For</source>
        <translation>Pour</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="605"/>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="606"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="607"/>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="610"/>
        <source>Variables: {{customer.first_name | &quot;there&quot;}} (with a fallback when unknown), {{customer.last_name}}, {{order.number}}, {{order.status}}, {{order.tracking_number}}, {{order.tracking_url}}, {{shop.name}}, {{shop.signature}}.</source>
        <translation>Variables&#xa0;: {{customer.first_name | &quot;Madame, Monsieur&quot;}} (avec une valeur de repli si le prénom est inconnu), {{customer.last_name}}, {{order.number}}, {{order.status}}, {{order.tracking_number}}, {{order.tracking_url}}, {{shop.name}}, {{shop.signature}}.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="622"/>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="624"/>
        <source>Delete…</source>
        <translation>Supprimer…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="653"/>
        <source>Built-in: {name}</source>
        <translation>Modèle intégré&#xa0;: {name}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="723"/>
        <source>{name} (my version)</source>
        <translation>{name} (ma version)</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="725"/>
        <source>Edit the copy, then Save. Yours is used instead of the built-in one.</source>
        <translation>Modifiez la copie, puis cliquez sur Enregistrer. Votre version remplacera le modèle intégré.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="735"/>
        <source>Saved.</source>
        <translation>Enregistré.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="750"/>
        <source>Delete template</source>
        <translation>Supprimer le modèle</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="751"/>
        <source>Delete the template “{name}”?</source>
        <translation>Supprimer le modèle «&#xa0;{name}&#xa0;»&#xa0;?</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/assistant_settings.py" line="765"/>
        <source>Deleted.</source>
        <translation>Supprimé.</translation>
    </message>
</context>
<context>
    <name>ThreadListModel</name>
    <message>
        <location filename="../../desktop/ui/models.py" line="60"/>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="60"/>
        <source>Subject</source>
        <translation>Objet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="60"/>
        <source>Topic</source>
        <translation>Sujet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="60"/>
        <source>Lang.</source>
        <translation>Langue</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="61"/>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/models.py" line="61"/>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
</context>
<context>
    <name>TriageHeader</name>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="598"/>
        <source>Topic</source>
        <translation>Sujet</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="601"/>
        <source>Not sorted yet</source>
        <translation>Pas encore trié</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="637"/>
        <source>Urgency: {level}</source>
        <translation>Urgence&#xa0;: {level}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="639"/>
        <source>Language: {code}</source>
        <translation>Langue&#xa0;: {code}</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="642"/>
        <source>set by you</source>
        <translation>défini par vous</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="644"/>
        <source>sorted by the assistant</source>
        <translation>trié par l’assistant</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/drafting.py" line="646"/>
        <source>sorted automatically</source>
        <translation>trié automatiquement</translation>
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
        <location filename="../../desktop/ui/wizard.py" line="44"/>
        <source>Welcome to Comptoir</source>
        <translation>Bienvenue dans Comptoir</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="45"/>
        <source>Your customer mail, your orders and your assistant, on this computer only.</source>
        <translation>Vos e-mails clients, vos commandes et votre assistant, uniquement sur cet ordinateur.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="48"/>
        <source>Comptoir keeps everything in an encrypted workspace on this computer. Nothing is sent to us: there is no Comptoir server.</source>
        <translation>Comptoir conserve tout dans un espace de travail chiffré sur cet ordinateur. Rien ne nous est envoyé&#xa0;: il n’existe aucun serveur Comptoir.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="53"/>
        <source>Create my workspace</source>
        <translation>Créer mon espace de travail</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="54"/>
        <source>An encrypted workspace for your shop&apos;s mail, orders and drafts.</source>
        <translation>Un espace de travail chiffré pour les messages, les commandes et les brouillons de votre boutique.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="58"/>
        <source>Try the demo</source>
        <translation>Essayer la démo</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="59"/>
        <source>A fictional shop with customers, orders and conversations. Nothing to set up.</source>
        <translation>Une boutique fictive avec des clients, des commandes et des conversations. Rien à configurer.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="63"/>
        <location filename="../../desktop/ui/wizard.py" line="80"/>
        <source>Import an export</source>
        <translation>Importer un export</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="64"/>
        <source>Moving to this computer: open a workspace exported from Comptoir, with its mail, customers and settings.</source>
        <translation>Vous changez d’ordinateur&#xa0;: ouvrez un espace de travail exporté depuis Comptoir, avec ses messages, ses clients et ses paramètres.</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/wizard.py" line="81"/>
        <source>Comptoir export (*.zip *.comptoir-export)</source>
        <translation>Export Comptoir (*.zip *.comptoir-export)</translation>
    </message>
</context>
</TS>
